"""The per-day summaries the reports keep in the graph, on the ReportDay node of each day.

A ReportDay's `version` is ticketing's (every ticket write bumps its day's, published in
fragments/ticketing/published/tickets_v1.py); `summary` and `computed` (the version the summary was
computed at) are the reports'. A summary is stored only if the version has not moved since it was
read, so a kept summary is never older than the tickets it stands for, whatever runs concurrently.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fragments.ticketing.published.tickets_v1 import day_number, day_of
from graph_store.backends import GraphBackend

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


# Days whose tickets changed since their summary was kept (or never summarised): a few hundred ReportDay
# nodes at most (one per day with tickets), so a scan.
STALE_DAYS = """
MATCH (d:ReportDay) WHERE d.computed IS NULL OR d.computed <> d.version
RETURN d.day AS day, d.version AS version ORDER BY d.day DESC LIMIT $limit
"""


class DaySummaries:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def day_summaries(self, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, Any]]:
        """The kept summaries of the days first..last: {day: {"version", "summary" (None unless current)}};
        a day with no entry has nothing kept (version 0)."""
        rows = self.db.read(DAY_SUMMARIES, {"first": day_number(first), "last": day_number(last)})
        return {day_of(r["day"]): {"version": r["version"] or 0, "summary": r["summary"]} for r in rows}

    def stale_days(self, limit: int) -> dict[dt.date, int]:
        """Up to `limit` days (newest first) whose kept summary is behind their tickets: {day: version}."""
        rows = self.db.read(STALE_DAYS, {"limit": limit})
        return {day_of(r["day"]): r["version"] or 0 for r in rows}

    def keep_day_summaries(self, days: list[tuple[dt.date, int, str]]) -> int:
        """Keep (day, version read, summary) for each day whose version is still the one read; how many."""
        if not days:
            return 0
        rows = self.db.write(KEEP_DAY_SUMMARIES, {"days": [{"day": day_number(d), "version": v, "summary": s}
                                                           for d, v, s in days]})
        return rows[0]["kept"] if rows else 0
