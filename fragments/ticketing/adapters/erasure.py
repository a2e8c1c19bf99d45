"""A customer forgotten at their request (issue 29): the ticketing service's part. Their tickets stay
(the business's records: dates, products, experts, states), what was written about them in words is
erased: the description, the resolution, the notes, the survey's comment and text answers."""
from __future__ import annotations

from graph_store.backends import GraphBackend

ERASED_TEXT = "[erased at the customer's request]"
WORDED = ["note", "description"]  # the actions whose detail is what someone wrote


def erase_customer_words(db: GraphBackend, customer_id: int) -> dict[str, int]:
    tickets = db.write("MATCH (t:Ticket {customer_id: $id}) SET t.description = $erased, "
                       "t.resolution = CASE WHEN t.resolution IS NULL THEN NULL ELSE $erased END "
                       "RETURN count(t) AS n", {"id": customer_id, "erased": ERASED_TEXT})
    notes = db.write("MATCH (t:Ticket {customer_id: $id})-[:HAS_EVENT]->(e:Event) WHERE e.action IN $worded "
                     "SET e.detail = $erased RETURN count(e) AS n", {"id": customer_id, "worded": WORDED,
                                                                      "erased": ERASED_TEXT})
    surveys = db.write("MATCH (s:Survey {customer_id: $id}) SET s.comment = '', s.answers = '[]' "
                       "RETURN count(s) AS n", {"id": customer_id})
    return {"tickets": _n(tickets), "notes": _n(notes), "surveys": _n(surveys)}


def _n(rows: list[dict]) -> int:
    return int(rows[0]["n"]) if rows else 0
