"""The reports' source of rows: graph_store (and, through it, the bridge for migration progress)."""
from __future__ import annotations

import logging

from graph_store.errors import StoreError

log = logging.getLogger(__name__)


class GraphReportSource:
    """The ReportSource port over graph_store."""

    def __init__(self, graph):
        self.graph = graph

    def tickets_raised(self, first, last):
        return self.graph.reports.tickets_raised(first, last)

    def legacy_tickets_raised(self, first, last):
        return []

    def day_summaries(self, first, last):
        return self.graph.reports.day_summaries(first, last)

    def keep_day_summaries(self, days):
        """Keeping is an optimisation: a store that refuses the write (no replica in sync, a fail-over)
        costs the next report a recomputation, never this report its answer."""
        try:
            return self.graph.reports.keep_day_summaries(days)
        except StoreError as exc:
            log.warning("day summaries not kept, computed again next time: %s", exc)
            return 0

    def waiting(self, now=None, limit=None):
        return self.graph.reports.waiting(limit)

    def waiting_count(self, now=None):
        return self.graph.reports.waiting_count()

    def lost(self, visible):
        return self.graph.reports.lost(visible)

    def experts(self, now):
        return self.graph.reports.experts(now)

    def migration(self):
        return self.graph.progress()

    def last_reconciliation(self):
        return self.graph.last_reconciliation()
