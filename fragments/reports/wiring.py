"""The composition root: the reports fragment's use cases built from their ports."""
from __future__ import annotations

import datetime as dt

from foundation.config import Settings
from graph_store import GraphConnection

from .adapters.whole_business import WholeBusinessSource
from .services.ports import BridgeClient, Clock, ReportSource
from .services.reports import Reports


def build(source: ReportSource, bridge: BridgeClient, clock: Clock = dt.datetime.now) -> Reports:
    return Reports(source, bridge, clock)


def on_graph(graph: GraphConnection, _settings: Settings) -> Reports:
    """The production set: rows from the graph and, for tickets not yet migrated, from the legacy system
    through the bridge; names through the bridge too."""
    return build(WholeBusinessSource(graph.backend, graph.bridge), graph.bridge)
