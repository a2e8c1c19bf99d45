"""The composition root: the knowledge base's use cases built from their ports."""
from __future__ import annotations

import datetime as dt

from foundation.config import Settings
from fragments.customers.published.reader_v1 import installed_reader
from graph_store import GraphConnection

from .adapters.articles import GraphArticles
from .services.knowledge import KnowledgeBase
from .services.ports import Articles, Catalogue, Clock, LegacyKB


def build(articles: Articles, catalogue: Catalogue, legacy: LegacyKB, clock: Clock = dt.datetime.now) -> KnowledgeBase:
    return KnowledgeBase(articles, catalogue, legacy, clock)


def on_graph(graph: GraphConnection, settings: Settings) -> KnowledgeBase:
    """The production set: articles in the graph (legacy ones migrated on first read), the catalogue as
    the customers service publishes it, and the legacy KB kept current through the bridge."""
    catalogue = installed_reader(graph.backend, None, graph.bridge, "customers" in dict(settings.fragments))
    return build(GraphArticles(graph.backend, graph.bridge), catalogue, graph.bridge)
