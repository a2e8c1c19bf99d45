"""The reports' source of rows in the graph: the tickets through ticketing's published reads, the
experts' names through the experts' published profiles, and the day summaries the reports keep."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bridge_client import BridgeClient, Unavailable
from fragments.experts.published import profiles_v1
from fragments.ticketing.published.tickets_v1 import TicketRows
from graph_store.backends import GraphBackend
from graph_store.errors import StoreError
from graph_store.reconciliation import last_run

from .day_summaries import DaySummaries
from .progress import migration_progress

log = logging.getLogger(__name__)


class GraphReportSource:
    """The ReportSource port over the graph."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.tickets = TicketRows(backend)
        self.days = DaySummaries(backend)
        self._progress: dict[str, Any] | None = None

    def tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        return self.tickets.tickets_raised(first, last)

    def tickets_changed(self, day: dt.date, since: int) -> tuple[list[dict[str, Any]], int]:
        return self.tickets.tickets_changed(day, since)

    def legacy_tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        return []

    def legacy_as_of(self) -> dt.datetime | None:
        return None

    def day_summaries(self, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, Any]]:
        return self.days.day_summaries(first, last)

    def stale_days(self, limit: int) -> dict[dt.date, int]:
        return self.days.stale_days(limit)

    def keep_day_summaries(self, days: list[tuple[dt.date, int, str]]) -> int:
        """Keeping is an optimisation: a store that refuses the write (no replica in sync, a fail-over)
        costs the next report a recomputation, never this report its answer."""
        try:
            return self.days.keep_day_summaries(days)
        except StoreError as exc:
            log.warning("day summaries not kept, computed again next time: %s", exc)
            return 0

    def waiting(self, now: dt.datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        return self.tickets.waiting(limit)

    def waiting_count(self, now: dt.datetime | None = None) -> int:
        return self.tickets.waiting_count()

    def lost(self, visible: list[str]) -> list[dict[str, Any]]:
        return self.tickets.lost(visible)

    def experts(self, now: dt.datetime) -> list[dict[str, Any]]:
        """Every expert with their upcoming load and survey score."""
        roster = profiles_v1.roster(self.db)
        loads = self.tickets.expert_load(None, now)
        empty = {"load": 0, "score": None, "answers": 0}
        return [{**x, **loads.get(x["id"], empty)} for x in roster]

    def migration(self) -> dict[str, Any]:
        """The migration's progress; while the monolith does not answer, as last read (none yet: no parts)."""
        try:
            self._progress = migration_progress(self.db, self.bridge)
        except Unavailable:
            log.warning("legacy system not answering: the migration's progress shown as last read")
            return self._progress or {"parts": []}
        return self._progress

    def last_reconciliation(self) -> dict[str, Any] | None:
        return last_run(self.db)
