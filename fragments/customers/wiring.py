"""The composition root: the customers service's use cases built from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from graph_store import GraphConnection

from .adapters.customers import GraphCatalogue, GraphCustomers
from .services.directory import Directory
from .services.ports import Catalogue, Clock, Customers, LegacyCustomers


@dataclass(frozen=True)
class CustomersService:
    directory: Directory
    customers: Customers
    catalogue: Catalogue


def build(customers: Customers, catalogue: Catalogue, legacy: LegacyCustomers,
          clock: Clock = dt.datetime.now) -> CustomersService:
    return CustomersService(Directory(customers, catalogue, legacy, clock), customers, catalogue)


def on_graph(graph: GraphConnection, _settings: Settings) -> CustomersService:
    """The production set: customers and the catalogue in the graph (copied from the monolith on first
    read), contact changes written back to the monolith's rows through the bridge."""
    return build(GraphCustomers(graph.backend, graph.bridge), GraphCatalogue(graph.backend, graph.bridge), graph.bridge)
