"""A period's summary from the kept per-day summaries of the graph's tickets (docs/adr/0019).

A day whose kept summary is current costs one small read; a day changed since (or never summarised)
is recomputed from its tickets and kept again, unless a ticket of that day changed meanwhile (the
store keeps a summary only at the version it was computed from). Tickets only the legacy system
holds are summarised as they are read: they leave that set as they migrate.

The screen's process holds what it computed (docs/adr/0019, "held in the process"): the last kept
summaries it parsed, and the tickets of the few days live traffic keeps changing (today's), so the
next report reads only the tickets written since (each write stamps its ticket with its day's version)
and summarises again only those, beside the summary of the day's other tickets.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from ..domain.summary import Summary, UnknownFormat, summarise
from .ports import ReportSource
from .service_levels import Promises

ONE_DAY = dt.timedelta(days=1)
KEEP_BATCH = 31  # days kept per write: a busy day's summary is ~54 KB at 100x, a year ~20 MB in one query
HELD_DAYS = 4  # changed days whose tickets the screen's process holds (today's, and those traffic still touches)
# A held day is read in full again after this long: it bounds how long a change no stamp shows (a ticket
# written by a ticketing process older than the stamps, during a rolling deploy) can be missed.
HELD_FOR_S = 600.0
PARSED_HELD = 200  # kept summaries held parsed (a 90-day period and the one before): ~150 KB each at 100x


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


@dataclass
class _HeldDay:
    """A changed day's tickets as of `version` (the greatest stamp read), promises attached: the summary of
    those not written since they were read in full (`base`), and the ids of those written since (`hot`,
    summarised again at each report)."""
    version: int
    read_at: float
    tickets: dict[int, dict[str, Any]]
    base: Summary
    hot: set[int] = field(default_factory=set)


def _stamp(tickets: list[dict[str, Any]]) -> int:
    return max((t.get("report_version") or 0 for t in tickets), default=0)


class DailySummaries:
    def __init__(self, source: ReportSource, promises: Promises, hold: bool = False,
                 clock: Callable[[], float] = time.monotonic):
        """`hold`: keep parsed summaries and changed days' tickets in this process between reports (the
        screen's; the worker keeps summaries only)."""
        self.source = source
        self.promises = promises
        self.hold = hold
        self.clock = clock
        # Shared by the requests a process answers at once (gunicorn's threads): each entry is taken out
        # under the lock and worked on outside it; a summary is never changed once it is held.
        self._lock = threading.Lock()
        self._held: OrderedDict[dt.date, _HeldDay] = OrderedDict()
        self._parsed: OrderedDict[dt.date, tuple[str, Summary]] = OrderedDict()

    def graph_period(self, first: dt.date, last: dt.date) -> Summary:
        """The summary of the graph's tickets raised on the days first..last."""
        kept = self.source.day_summaries(first, last)
        total, stale = Summary(), {}
        day = first
        while day <= last:
            entry = kept.get(day) or {"version": 0, "summary": None}
            summary = self._parse(day, entry["summary"])
            if summary is None:
                stale[day] = entry["version"]
            else:
                total.merge(summary)
            day += ONE_DAY
        for day in list(stale):
            if (summary := self._changed_since_held(day, stale[day])) is not None:
                total.merge(summary)
                del stale[day]
        if stale:
            total.merge(self._recompute(stale))
        return total

    def _parse(self, day: dt.date, text: str | None) -> Summary | None:
        if not self.hold or text is None:
            return _current(text)
        with self._lock:
            held = self._parsed.get(day)
            if held is not None and held[0] == text:
                self._parsed.move_to_end(day)
                return held[1]
        summary = _current(text)
        if summary is not None:
            summary.settled()
            with self._lock:
                self._parsed[day] = (text, summary)
                while len(self._parsed) > PARSED_HELD:
                    self._parsed.popitem(last=False)
        return summary

    def _changed_since_held(self, day: dt.date, version: int) -> Summary | None:
        """The day's summary from its held tickets and those written since; None (and the day no longer
        held) when there is none (never held, held too long, or taken by another request meanwhile) or it
        cannot be trusted: a ticket removed, a write that left no stamp, a plan not read."""
        with self._lock:
            held = self._held.pop(day, None)
        if held is None or self.clock() - held.read_at >= HELD_FOR_S:
            return None
        changed, count = self.source.tickets_changed(day, held.version)
        if changed and not self.promises.attach(changed):
            return None
        fresh = {t["id"]: t for t in changed}
        tickets = {**held.tickets, **fresh}
        stamp = max(held.version, _stamp(changed))
        if len(tickets) != count or stamp < version:
            return None
        base = held.base
        if set(fresh) - held.hot:  # a ticket first written since: the others' summary without it
            held.hot |= set(fresh)
            base = summarise([t for ticket_id, t in tickets.items() if ticket_id not in held.hot]).settled()
        self._put(day, _HeldDay(stamp, held.read_at, tickets, base, held.hot))
        return Summary().merge(base).merge(summarise([tickets[ticket_id] for ticket_id in held.hot]))

    def _hold(self, day: dt.date, tickets: list[dict[str, Any]], summary: Summary) -> None:
        self._put(day, _HeldDay(_stamp(tickets), self.clock(), {t["id"]: t for t in tickets}, summary.settled()))

    def _put(self, day: dt.date, held: _HeldDay) -> None:
        with self._lock:
            self._held[day] = held
            self._held.move_to_end(day)
            while len(self._held) > HELD_DAYS:
                self._held.popitem(last=False)

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
            keep.append((day, version, summary.to_json()))  # (compacts the summary: before it is shared)
            if self.hold and complete:  # the newest HELD_DAYS stay held (stale days come oldest first)
                self._hold(day, by_day.get(day, []), summary)
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
