"""What the reports read from the graph: plain rows, no arithmetic (the reports fragment computes
its metrics from these, so the definitions live in one place, next to their tests)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from foundation.vocabulary import iso

from .backends import GraphBackend

# Every ticket raised in [start, end), one row per allocation, packed into one string per row: the
# Python client decodes each returned value separately, and 13 values a row cost 4x the query
# (measured: 174 ms vs 42 ms for 4,000 rows). The reason comes last, so it may contain the separator.
TICKETS_RAISED = """
MATCH (t:Ticket) WHERE t.created_at >= $start AND t.created_at < $end
OPTIONAL MATCH (x:Expert)-[a:ALLOCATED]->(t)
RETURN toString(t.id) + '|' + coalesce(t.status, '') + '|' + coalesce(toString(t.product_id), '') + '|' +
       coalesce(toString(t.locale_id), '') + '|' + t.created_at + '|' + coalesce(t.closed_at, '') + '|' +
       toString(coalesce(t.reopened_count, 0)) + '|' + coalesce(toString(x.id), '') + '|' + coalesce(a.state, '') +
       '|' + coalesce(a.at, '') + '|' + coalesce(a.closed_at, '') + '|' + coalesce(a.reason, '') AS row
"""


def _int(text: str) -> int | None:
    return int(text) if text else None


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
        tickets: dict[int, dict[str, Any]] = {}
        for packed in self.db.read(TICKETS_RAISED, {"start": iso(start), "end": iso(end)}):
            (ticket_id, status, product, locale, created, closed, reopened, expert, state, at, a_closed,
             reason) = packed["row"].split("|", 11)
            ticket = tickets.get(int(ticket_id))
            if ticket is None:
                ticket = tickets[int(ticket_id)] = {
                    "id": int(ticket_id), "status": status or None, "product_id": _int(product),
                    "locale_id": _int(locale), "created_at": created, "closed_at": closed or None,
                    "reopened": int(reopened), "allocations": []}
            if expert:
                ticket["allocations"].append({"expert_id": int(expert), "state": state, "at": at or None,
                                              "closed_at": a_closed or None, "reason": reason or None})
        return list(tickets.values())

    def waiting(self) -> list[dict[str, Any]]:
        return self.db.read(WAITING, {})

    def lost(self, visible: list[str]) -> list[dict[str, Any]]:
        return self.db.read(LOST, {"visible": visible})

    def experts(self, now: dt.datetime) -> list[dict[str, Any]]:
        return self.db.read(EXPERTS, {"now": iso(now)})
