"""What the reports read from the graph: plain rows, no arithmetic (the reports fragment computes
its metrics from these, so the definitions live in one place, next to their tests)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .backends import GraphBackend
from .tickets import iso

# Every ticket raised in [start, end), with its allocations and its reopen events.
TICKETS_RAISED = """
MATCH (t:Ticket) WHERE t.created_at >= $start AND t.created_at < $end
OPTIONAL MATCH (x:Expert)-[a:ALLOCATED]->(t)
WITH t, collect(CASE WHEN a IS NULL THEN NULL ELSE {expert_id: x.id, state: a.state, at: a.at,
                     closed_at: a.closed_at, reason: a.reason} END) AS allocations
RETURN t.id AS id, t.reference AS reference, t.status AS status, t.product_id AS product_id,
       t.locale_id AS locale_id, t.created_at AS created_at, t.closed_at AS closed_at,
       t.reopened_count AS reopened, t.source AS source, allocations
"""

WAITING = """
MATCH (t:Ticket) WHERE t.status IN ['unassigned', 'new']
RETURN t.id AS id, t.reference AS reference, t.status AS status, t.created_at AS created_at,
       coalesce(t.alerted_at, t.updated_at, t.created_at) AS waiting_since
ORDER BY waiting_since
"""

# A ticket is lost when nobody would ever look at it: its status is none of the visible ones, or it
# says "offered" while no offer is open (so no expert and no timer will ever act on it).
LOST = """
MATCH (t:Ticket) WHERE t.status IS NULL OR NOT t.status IN $visible
RETURN t.id AS id, t.reference AS reference, coalesce(t.status, '(none)') AS status, 'no visible state' AS why
UNION
MATCH (t:Ticket {status: 'offered'})
OPTIONAL MATCH (:Expert)-[a:ALLOCATED {state: 'offered'}]->(t)
WITH t, count(a) AS open WHERE open = 0
RETURN t.id AS id, t.reference AS reference, t.status AS status, 'offered but no open offer' AS why
"""

EXPERTS = """
MATCH (x:Expert)
OPTIONAL MATCH (x)-[:HOLDS]->(b:Booking) WHERE b.starts_at >= $now
WITH x, count(b) AS load
RETURN x.id AS id, x.first_name AS first_name, x.last_name AS last_name, load,
       x.score AS score, coalesce(x.score_answers, 0) AS answers
ORDER BY id
"""


class ReportQueries:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def tickets_raised(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        rows = self.db.read(TICKETS_RAISED, {"start": iso(start), "end": iso(end)})
        for row in rows:
            row["allocations"] = [a for a in row["allocations"] if a]
        return rows

    def waiting(self) -> list[dict[str, Any]]:
        return self.db.read(WAITING, {})

    def lost(self, visible: list[str]) -> list[dict[str, Any]]:
        return self.db.read(LOST, {"visible": visible})

    def experts(self, now: dt.datetime) -> list[dict[str, Any]]:
        return self.db.read(EXPERTS, {"now": iso(now)})
