"""A period's summary from the kept per-day summaries of the graph's tickets (docs/adr/0019).

A day whose kept summary is current costs one small read; a day changed since (or never summarised)
is recomputed from its tickets and kept again, unless a ticket of that day changed meanwhile (the
store keeps a summary only at the version it was computed from). Tickets only the legacy system
holds are summarised as they are read: they leave that set as they migrate.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from ..domain.summary import Summary, UnknownFormat, summarise
from .ports import ReportSource
from .service_levels import Promises

ONE_DAY = dt.timedelta(days=1)
KEEP_BATCH = 31  # days kept per write: a busy day's summary is ~54 KB at 100x, a year ~20 MB in one query


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs: one read per run."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + ONE_DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _current(text: str | None) -> Summary | None:
    """The kept summary, unless there is none or it was kept in another format (then it is recomputed)."""
    if text is None:
        return None
    try:
        return Summary.from_json(text)
    except UnknownFormat:
        return None


class DailySummaries:
    def __init__(self, source: ReportSource, promises: Promises):
        self.source = source
        self.promises = promises

    def graph_period(self, first: dt.date, last: dt.date) -> Summary:
        """The summary of the graph's tickets raised on the days first..last."""
        kept = self.source.day_summaries(first, last)
        total, stale = Summary(), {}
        day = first
        while day <= last:
            entry = kept.get(day) or {"version": 0, "summary": None}
            summary = _current(entry["summary"])
            if summary is None:
                stale[day] = entry["version"]
            else:
                total.merge(summary)
            day += ONE_DAY
        if stale:
            total.merge(self._recompute(stale))
        return total

    def keep_current(self, batch: int = 62) -> int:
        """Recompute and keep the summaries of the days changed since they were kept, a batch of days at a
        time, until none is behind (the reports worker's round: then the first report of any period reads
        kept summaries only); how many days were recomputed. A day that changes meanwhile is left to
        the next round (its summary is not kept at a version it was not computed from)."""
        done: set[dt.date] = set()
        while True:
            found = self.source.stale_days(batch + len(done))
            stale = {day: version for day, version in found.items() if day not in done}
            if not stale:
                return len(done)
            self._recompute(stale)
            done.update(stale)

    def _recompute(self, stale: dict[dt.date, int]) -> Summary:
        by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
        tickets = [ticket for first, last in _runs(list(stale)) for ticket in self.source.tickets_raised(first, last)]
        for ticket in tickets:
            by_day[dt.date.fromisoformat(ticket["created_at"][:10])].append(ticket)
        # Kept only when every ticket's promises are known: a plan that cannot be read now is read next time.
        complete = self.promises.attach(tickets)
        total, keep = Summary(), []
        for day, version in stale.items():
            summary = summarise(by_day.get(day, []))
            keep.append((day, version, summary.to_json()))
            total.merge(summary)
        if complete:
            for start in range(0, len(keep), KEEP_BATCH):
                self.source.keep_day_summaries(keep[start:start + KEEP_BATCH])
        return total

    def period(self, first: dt.date, last: dt.date) -> Summary:
        """Every ticket raised on the days first..last, each counted once, wherever it is."""
        total = self.graph_period(first, last)
        legacy = self.source.legacy_tickets_raised(first, last)
        if not legacy:
            return total
        self.promises.attach(legacy)
        return total.merge(summarise(legacy))
