"""Satisfaction surveys in the graph, the Surveys port itself: (Survey)-[:REGARDING]->(Ticket), one per ticket, and each expert's
score as the mean of the surveys of the tickets they closed (what assignment ranks by)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from foundation.vocabulary import iso
from graph_store.backends import GraphBackend

from .errors import port_errors

# Create-only: a second answer for the same ticket writes nothing (the MERGE finds the first one).
RECORD = """
MATCH (t:Ticket {id: $ticket_id})
MERGE (s:Survey {ticket_id: $ticket_id})
ON CREATE SET s.expert_id = $expert_id, s.customer_id = $customer_id, s.score = $score, s.comment = $comment,
              s.answered_at = $at, s.token = $token
WITH t, s WHERE s.token = $token
CREATE (s)-[:REGARDING]->(t)
RETURN s.ticket_id AS ticket_id
"""

RESCORE = """
MATCH (s:Survey {expert_id: $expert_id})
WITH avg(toFloat(s.score)) AS score, count(s) AS answers
MATCH (x:Expert {id: $expert_id})
SET x.score = score, x.score_answers = answers
RETURN x.score AS score, x.score_answers AS answers
"""

# The same mean for several experts at once (surveys carried over from the legacy system).
RESCORE_MANY = """
UNWIND $expert_ids AS expert_id
MATCH (s:Survey {expert_id: expert_id})
WITH expert_id, avg(toFloat(s.score)) AS score, count(s) AS answers
MATCH (x:Expert {id: expert_id})
SET x.score = score, x.score_answers = answers
RETURN x.id AS id
"""


@port_errors
class GraphSurveys:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def record(self, *, ticket_id: int, expert_id: int, customer_id: int, score: int, comment: str,
               now: dt.datetime) -> bool:
        """True if this answer was recorded; False if the ticket already had one."""
        created = bool(self.db.write(RECORD, {"ticket_id": ticket_id, "expert_id": expert_id,
                                              "customer_id": customer_id, "score": score, "comment": comment,
                                              "at": iso(now), "token": uuid.uuid4().hex}))
        if created:
            self.db.write(RESCORE, {"expert_id": expert_id})
        return created

    def find(self, ticket_id: int) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (s:Survey {ticket_id: $id}) RETURN s {.*} AS s", {"id": ticket_id})
        if not rows:
            return None
        survey = rows[0]["s"]
        survey.pop("token", None)
        return survey
