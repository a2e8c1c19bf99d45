"""What the reports read from the graph: plain rows, no arithmetic (the reports fragment computes
its metrics from these, so the definitions live in one place, next to their tests), and the per-day
summaries the reports fragment keeps here.

Report days: every ticket carries `created_day` (yyyymmdd, indexed). Every write that changes what
the reports show of a ticket also bumps, in the same query, the version of its day's ReportDay node
(`touch_report_day`). The reports fragment keeps a day's summary on that node together with the
version it was computed at, and stores it only if the version has not moved since it read it; a
summary whose version is behind is recomputed from the day's tickets. So a kept summary is never
older than the tickets it stands for, whatever runs concurrently.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from foundation.vocabulary import iso

from .backends import GraphBackend

# Every ticket raised in [start, end), one row per allocation, packed into one string per row: the
# Python client decodes each returned value separately, and 13 values a row cost 4x the query
# (measured: 174 ms vs 42 ms for 4,000 rows). The reason comes last, so it may contain the separator.
TICKETS_RAISED = """
MATCH (t:Ticket) WHERE t.created_day >= $first AND t.created_day <= $last
OPTIONAL MATCH (x:Expert)-[a:ALLOCATED]->(t)
RETURN toString(t.id) + '|' + coalesce(t.status, '') + '|' + coalesce(toString(t.product_id), '') + '|' +
       coalesce(toString(t.locale_id), '') + '|' + t.created_at + '|' + coalesce(t.closed_at, '') + '|' +
       toString(coalesce(t.reopened_count, 0)) + '|' + coalesce(toString(x.id), '') + '|' + coalesce(a.state, '') +
       '|' + coalesce(a.at, '') + '|' + coalesce(a.closed_at, '') + '|' + coalesce(a.reason, '') AS row
"""


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
    as the change (after it, before any WITH that drops the ticket)."""
    return (f"MERGE (report_day:ReportDay {{day: coalesce({ticket}.created_day, {DAY_OF_CREATED.format(ticket)})}}) "
            "SET report_day.version = coalesce(report_day.version, 0) + 1")


DAY_SUMMARIES = """
MATCH (d:ReportDay) WHERE d.day >= $first AND d.day <= $last
RETURN d.day AS day, d.version AS version,
       CASE WHEN d.computed = d.version THEN d.summary ELSE null END AS summary
"""

# Kept only if no change to the day's tickets came in since the caller read the version.
KEEP_DAY_SUMMARIES = """
UNWIND $days AS s
MERGE (d:ReportDay {day: s.day})
ON CREATE SET d.version = 0
WITH d, s WHERE d.version = s.version
SET d.summary = s.summary, d.computed = s.version
RETURN count(d) AS kept
"""

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

    def tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """Every ticket raised on the days first..last (both included), with its allocations."""
        tickets: dict[int, dict[str, Any]] = {}
        for packed in self.db.read(TICKETS_RAISED, {"first": day_number(first), "last": day_number(last)}):
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

    def day_summaries(self, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, Any]]:
        """The kept summaries of the days first..last: {day: {"version", "summary" (None unless current)}};
        a day with no entry has nothing kept (version 0)."""
        rows = self.db.read(DAY_SUMMARIES, {"first": day_number(first), "last": day_number(last)})
        return {day_of(r["day"]): {"version": r["version"] or 0, "summary": r["summary"]} for r in rows}

    def keep_day_summaries(self, days: list[tuple[dt.date, int, str]]) -> int:
        """Keep (day, version read, summary) for each day whose version is still the one read; how many."""
        if not days:
            return 0
        rows = self.db.write(KEEP_DAY_SUMMARIES, {"days": [{"day": day_number(d), "version": v, "summary": s}
                                                           for d, v, s in days]})
        return rows[0]["kept"] if rows else 0

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

    def experts(self, now: dt.datetime) -> list[dict[str, Any]]:
        return self.db.read(EXPERTS, {"now": iso(now)})
