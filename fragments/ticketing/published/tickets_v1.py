"""Tickets as other services may read them, version 1: the ticketing service publishes these reads
of the nodes it owns (Ticket, Event, ALLOCATED, Booking, Survey, and on Expert nodes `score`,
`score_answers`, `last_offered_at`), so the reports and the knowledge base never write a query of their own
on them. Plain rows, no arithmetic: the reports compute their metrics from these, so the definitions
live in one place, next to their tests. A change that breaks a reader is a `tickets_v2` beside this one,
kept until no reader is left. The contract: tests/graph/test_published_tickets.py.

This module imports nothing of the ticketing service, so a reader deploys it without the service.

Report days: every ticket carries `created_day` (yyyymmdd, indexed). Every write that changes what
the reports show of a ticket also bumps, in the same query, the version of its day's ReportDay node
(`touch_report_day`). The reports fragment keeps a day's summary on that node together with the
version it was computed at, and stores it only if the version has not moved since it read it; a
summary whose version is behind is recomputed from the day's tickets. So a kept summary is never
older than the tickets it stands for, whatever runs concurrently. The same write stamps the ticket with
the day's new version (`report_version`), so a reader holding a day's tickets as of a version reads only
those changed since (`tickets_changed`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from foundation.vocabulary import LEGACY_ACCEPTED, OPEN_STATES, iso
from graph_store.backends import GraphBackend

VERSION = 1

# Every ticket raised in [start, end), one row per allocation, packed into one string per row: the
# Python client decodes each returned value separately, and 13 values a row cost 4x the query
# (measured: 174 ms vs 42 ms for 4,000 rows). The reason comes last, so it may contain the separator.
_RAISED_ROWS = """
OPTIONAL MATCH (x:Expert)-[a:ALLOCATED]->(t)
RETURN toString(t.id) + '|' + toString(coalesce(t.report_version, 0)) + '|' + coalesce(t.status, '') + '|' +
       coalesce(toString(t.product_id), '') + '|' +
       coalesce(toString(t.locale_id), '') + '|' + t.created_at + '|' + coalesce(t.closed_at, '') + '|' +
       toString(coalesce(t.reopened_count, 0)) + '|' + coalesce(toString(t.customer_id), '') + '|' +
       coalesce(toString(t.contract_id), '') + '|' + coalesce(toString(t.plan_id), '') + '|' +
       coalesce(t.accept_by, '') + '|' + coalesce(t.visit_by, '') + '|' + coalesce(t.waiting_since, '') + '|' +
       coalesce(toString(x.id), '') + '|' + coalesce(a.state, '') +
       '|' + coalesce(a.at, '') + '|' + coalesce(a.closed_at, '') + '|' + coalesce(a.reason, '') AS row
"""
TICKETS_RAISED = "MATCH (t:Ticket) WHERE t.created_day >= $first AND t.created_day <= $last" + _RAISED_ROWS
# The tickets of one day written since a version of it (`report_version` is the day's version at the
# ticket's last write), and how many tickets the day holds now (a removed ticket leaves no stamp).
# (No coalesce on the stamp: it would keep the store from the index; an unstamped ticket is never > since.)
TICKETS_CHANGED = "MATCH (t:Ticket) WHERE t.created_day = $day AND t.report_version > $since" + _RAISED_ROWS
DAY_COUNT = "MATCH (t:Ticket) WHERE t.created_day = $day RETURN count(t) AS n"


def day_number(day: dt.date | str) -> int:
    """A day as the integer yyyymmdd (a date, or the first ten characters of an ISO timestamp)."""
    text = day.isoformat() if isinstance(day, dt.date) else day[:10]
    return int(text.replace("-", ""))


def day_of(number: int) -> dt.date:
    return dt.date(number // 10000, number // 100 % 100, number % 100)


# The day number of a ticket's created_at, in Cypher (day_number's twin) for tickets without one.
DAY_OF_CREATED = "toInteger(replace(substring({0}.created_at, 0, 10), '-', ''))"


def touch_report_day(ticket: str) -> str:
    """Cypher marking the report day of the ticket bound to `ticket` as changed; goes in the same query
    as the change (after it, before any WITH that drops the ticket, and before the query creates
    anything: a SET after a creation costs time in proportion to the whole graph, ADR 0029)."""
    return (f"MERGE (report_day:ReportDay {{day: coalesce({ticket}.created_day, {DAY_OF_CREATED.format(ticket)})}}) "
            f"SET {ticket}.report_version = coalesce(report_day.version, 0) + 1, "
            "report_day.version = coalesce(report_day.version, 0) + 1")


# Tickets written before they carried their day (one pass when the schema is ensured); their days are
# touched too, so a summary computed while they had no day is recomputed.
NUMBER_DAYS = f"""
MATCH (t:Ticket) WHERE t.created_day IS NULL
WITH t LIMIT $n
SET t.created_day = {DAY_OF_CREATED.format("t")}
{touch_report_day("t")}
RETURN count(t) AS numbered
"""


def number_days(backend: GraphBackend, batch: int = 5000) -> int:
    numbered = 0
    while True:
        rows = backend.write(NUMBER_DAYS, {"n": batch})
        done = rows[0]["numbered"] if rows else 0
        numbered += done
        if done < batch:
            return numbered


def _int(text: str) -> int | None:
    return int(text) if text else None


WAITING_STATES = ["unassigned", "new"]
WAITING = """
MATCH (t:Ticket) WHERE t.status IN $states
RETURN t.id AS id, t.reference AS reference, t.status AS status, t.created_at AS created_at,
       coalesce(t.alerted_at, t.updated_at, t.created_at) AS waiting_since
ORDER BY waiting_since, id
"""
WAITING_COUNT = "MATCH (t:Ticket) WHERE t.status IN $states RETURN count(t) AS n"

# A ticket is lost when nobody would ever look at it: its status is none of the visible ones, or it
# says "offered" while no offer is open (so no expert and no timer will ever act on it). Counting the
# visible ones through the status index costs half the scan for the invisible ones, which runs only
# when the counts differ (the label's count is kept by the store).
ALL_TICKETS = "MATCH (t:Ticket) RETURN count(t) AS n"
VISIBLE_TICKETS = "MATCH (t:Ticket) WHERE t.status IN $visible RETURN count(t) AS n"
INVISIBLE = """
MATCH (t:Ticket) WHERE t.status IS NULL OR NOT t.status IN $visible
RETURN t.id AS id, t.reference AS reference, coalesce(t.status, '(none)') AS status, 'no visible state' AS why
"""
OFFERED_WITHOUT_OFFER = """
MATCH (t:Ticket {status: 'offered'})
OPTIONAL MATCH (:Expert)-[a:ALLOCATED {state: 'offered'}]->(t)
WITH t, count(a) AS open WHERE open = 0
RETURN t.id AS id, t.reference AS reference, t.status AS status, 'offered but no open offer' AS why
"""

# One value per row (as TICKETS_RAISED): the reports ask it for every expert (2,000 at 100x). Only the
# experts with an upcoming slot, then only those with a score: matching every expert to count its slots
# took 42 ms at 100x, these two 4 and 1.
EXPERT_LOAD = """
MATCH (x:Expert)-[:HOLDS]->(b:Booking) WHERE b.starts_at >= $now AND ($ids IS NULL OR x.id IN $ids)
WITH x, count(b) AS load
RETURN toString(x.id) + '|' + toString(load) AS row
"""
EXPERT_SCORES = """
MATCH (x:Expert) WHERE (x.score IS NOT NULL OR x.score_answers > 0) AND ($ids IS NULL OR x.id IN $ids)
RETURN toString(x.id) + '|' + coalesce(toString(x.score), '') + '|' + toString(coalesce(x.score_answers, 0)) AS row
"""

FIXES = """
MATCH (t:Ticket {product_id: $pid})-[:REFERENCES]->(a:Article) WHERE t.status = 'closed'
WITH t, collect(a.id) AS articles ORDER BY t.closed_at DESC LIMIT $limit
OPTIONAL MATCH (s:Survey)-[:REGARDING]->(t)
RETURN t.description AS description, articles, max(s.score) AS score
"""

LEGACY_STATUS = {"open": "unassigned", "assigned": "assigned", "in_progress": "in_progress",
                 "closed": "closed", "cancelled": "cancelled"}


def legacy_allocation(status: str, expert_id: int | None, assigned_at: str | None,
                      created_at: str) -> dict[str, Any] | None:
    """The legacy ticket's one expert as an allocation: accepted once the expert took it on, `at` the
    first "assigned" event. Shared by the migration and the reports' legacy rows, so a figure does not
    move when a ticket migrates."""
    if expert_id is None:
        return None
    accepted = status in LEGACY_ACCEPTED
    return {"expert_id": expert_id, "accepted": accepted, "state": "accepted" if accepted else "offered",
            "at": assigned_at or created_at}


class TicketRows:
    """The published reads, over any graph backend."""

    def __init__(self, backend: GraphBackend):
        self.db = backend

    def tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """Every ticket raised on the days first..last (both included), with its allocations, its customer,
        contract and plan (the plan only if raised here), the promises it carries from the raise (`accept_by`,
        `visit_by`: raised here under a plan that states them), since when it waits on the customer, and its
        `report_version` (its day's version at its last write; 0 if never stamped)."""
        return _tickets(self.db.read(TICKETS_RAISED, {"first": day_number(first), "last": day_number(last)}))

    def tickets_changed(self, day: dt.date, since: int) -> tuple[list[dict[str, Any]], int]:
        """The tickets raised on `day` written since its version `since` (as tickets_raised gives them), and
        how many tickets that day holds now."""
        count = self.db.read(DAY_COUNT, {"day": day_number(day)})
        changed = _tickets(self.db.read(TICKETS_CHANGED, {"day": day_number(day), "since": since}))
        return changed, int(count[0]["n"]) if count else 0


    def waiting(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The tickets waiting for an expert, longest waiting first; the first `limit` of them."""
        query = WAITING + (" LIMIT $limit" if limit is not None else "")
        return self.db.read(query, {"states": WAITING_STATES, "limit": limit})

    def waiting_count(self) -> int:
        rows = self.db.read(WAITING_COUNT, {"states": WAITING_STATES})
        return rows[0]["n"] if rows else 0

    def lost(self, visible: list[str]) -> list[dict[str, Any]]:
        total = self.db.read(ALL_TICKETS, {})
        shown = self.db.read(VISIBLE_TICKETS, {"visible": visible})
        invisible = self.db.read(INVISIBLE, {"visible": visible}) if total != shown else []
        return invisible + self.db.read(OFFERED_WITHOUT_OFFER, {})

    def expert_load(self, expert_ids: list[int] | None, now: dt.datetime) -> dict[int, dict[str, Any]]:
        """Each expert's upcoming held or booked slots, and their survey score with its answer count: of
        each expert asked for, or when `expert_ids` is None of every expert that has either (the others
        have no load and no score)."""
        ids = None if expert_ids is None else sorted(set(expert_ids))
        empty = {"load": 0, "score": None, "answers": 0}
        loads: dict[int, dict[str, Any]] = {x: dict(empty) for x in ids or []}
        for row in self.db.read(EXPERT_LOAD, {"ids": ids, "now": iso(now)}):
            expert_id, load = row["row"].split("|")
            loads.setdefault(int(expert_id), dict(empty))["load"] = int(load)
        for row in self.db.read(EXPERT_SCORES, {"ids": ids}):
            expert_id, score, answers = row["row"].split("|")
            loads.setdefault(int(expert_id), dict(empty)).update(score=float(score) if score else None,
                                                                 answers=int(answers))
        return loads

    def fixes(self, product_id: int, limit: int = 500) -> list[dict[str, Any]]:
        """The latest closed tickets of this product that had articles attached: their description, the
        articles' ids, and their survey's score (None if not answered)."""
        return self.db.read(FIXES, {"pid": product_id, "limit": limit})

    def counts(self) -> dict[str, Any]:
        """Tickets in the graph: legacy ones by how they moved in, and those raised here."""
        rows = self.db.read("MATCH (t:Ticket {source: 'legacy'}) RETURN t.migrated_via AS via, count(t) AS n")
        new = self.db.read("MATCH (t:Ticket {source: 'new'}) RETURN count(t) AS n")
        return {"by_via": {row["via"]: row["n"] for row in rows}, "new": new[0]["n"] if new else 0}



def _tickets(packed_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tickets: dict[int, dict[str, Any]] = {}
    for packed in packed_rows:
        (ticket_id, stamp, status, product, locale, created, closed, reopened, customer, contract, plan, accept_by,
         visit_by, waiting_since, expert, state, at, a_closed, reason) = packed["row"].split("|", 18)
        ticket = tickets.get(int(ticket_id))
        if ticket is None:
            ticket = tickets[int(ticket_id)] = {
                "id": int(ticket_id), "report_version": int(stamp), "status": status or None,
                "product_id": _int(product),
                "locale_id": _int(locale), "created_at": created, "closed_at": closed or None,
                "reopened": int(reopened), "customer_id": _int(customer), "contract_id": _int(contract),
                "plan_id": _int(plan), "accept_by": accept_by or None, "visit_by": visit_by or None,
                "waiting_since": waiting_since or None, "allocations": []}
        if expert:
            ticket["allocations"].append({"expert_id": int(expert), "state": state, "at": at or None,
                                          "closed_at": a_closed or None, "reason": reason or None})
    return list(tickets.values())


def open_tickets_about(db: GraphBackend, product_id: int) -> int:
    """How many tickets not yet closed or cancelled are about the product (the customers service asks
    before a product is retired). Open legacy work is in the graph from the cut-over on."""
    rows = db.read("MATCH (t:Ticket) WHERE t.product_id = $product AND t.status IN $open RETURN count(t) AS n",
                   {"product": product_id, "open": sorted(str(s) for s in OPEN_STATES)})
    return int(rows[0]["n"]) if rows else 0
