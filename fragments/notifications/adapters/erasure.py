"""A customer forgotten at their request (issue 29): the notifications service's part. The messages stay
as a record that something was sent, when and by which channel; to whom and what they said is erased,
with the addresses kept for the person."""
from __future__ import annotations

from graph_store.backends import GraphBackend

ERASED_TEXT = "[erased at the customer's request]"


def erase_recipient(db: GraphBackend, kind: str, person_id: int) -> dict[str, int]:
    people = db.write("MATCH (r:Recipient {key: $key}) SET r.name = '', r.email = '', r.phone = '' "
                      "RETURN count(r) AS n", {"key": f"{kind}:{person_id}"})
    messages = db.write("MATCH (m:Message) WHERE m.recipient_kind = $kind AND m.recipient_id = $id "
                        "SET m.subject = $erased, m.body = $erased, m.address = '' RETURN count(m) AS n",
                        {"kind": kind, "id": person_id, "erased": ERASED_TEXT})
    return {"recipients": _n(people), "messages": _n(messages)}


def _n(rows: list[dict]) -> int:
    return int(rows[0]["n"]) if rows else 0
