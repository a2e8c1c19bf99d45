"""The reports' source of rows: graph_store (and, through it, the bridge for migration progress)."""
from __future__ import annotations


class GraphReportSource:
    """The ReportSource port over graph_store."""

    def __init__(self, graph):
        self.graph = graph

    def tickets_raised(self, start, end):
        return self.graph.reports.tickets_raised(start, end)

    def waiting(self, now=None):
        return self.graph.reports.waiting()

    def lost(self, visible):
        return self.graph.reports.lost(visible)

    def experts(self, now):
        return self.graph.reports.experts(now)

    def migration(self):
        return self.graph.progress()

    def last_reconciliation(self):
        return self.graph.last_reconciliation()
