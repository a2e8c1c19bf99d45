"""The composition root: the reports fragment's use cases built from their ports."""
from __future__ import annotations

import datetime as dt

from foundation.config import Settings
from fragments.customers.published.reader_v1 import installed_reader
from graph_store import GraphConnection

from .adapters.catalogue import PublishedCatalogue
from .adapters.whole_business import WholeBusinessSource
from .services.ports import Catalogue, Clock, ReportSource
from .services.reports import Reports


def build(source: ReportSource, catalogue: Catalogue, clock: Clock = dt.datetime.now) -> Reports:
    return Reports(source, catalogue, clock)


def on_graph(graph: GraphConnection, settings: Settings) -> Reports:
    """The production set: rows from the graph and, for tickets not yet migrated, from the legacy system
    through the bridge; products' and locales' names from the customers service's catalogue."""
    catalogue = installed_reader(graph.backend, None, graph.bridge, "customers" in dict(settings.fragments))
    return build(WholeBusinessSource(graph.backend, graph.bridge), PublishedCatalogue(catalogue))
