"""The composition root: the customers service's use cases built from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from graph_store import GraphConnection

from .adapters.bills import GraphBills
from .adapters.catalogue import GraphCatalogueAdmin, GraphContracts, PublishedOpenWork
from .adapters.customers import GraphCustomers
from .adapters.payment_gateway import LocalGateway
from .services.billing import Billing
from .services.catalogue_admin import CatalogueKeeping
from .services.directory import Directory
from .services.ports import (
    Bills,
    Catalogue,
    CatalogueAdmin,
    Clock,
    Contracts,
    Customers,
    LegacyCustomers,
    OpenWork,
    PaymentGateway,
)


@dataclass(frozen=True)
class CustomersService:
    directory: Directory
    customers: Customers
    catalogue: Catalogue
    keeping: CatalogueKeeping
    billing: Billing


def build(customers: Customers, catalogue: CatalogueAdmin, legacy: LegacyCustomers, contracts: Contracts,
          work: OpenWork, clock: Clock = dt.datetime.now, *, bills: Bills,
          gateway: PaymentGateway) -> CustomersService:
    billing = Billing(bills, gateway, clock)
    keeping = CatalogueKeeping(catalogue, contracts, customers, legacy, work, clock, on_price=billing.price_changed)
    return CustomersService(Directory(customers, catalogue, legacy, clock), customers, catalogue, keeping, billing)


def on_graph(graph: GraphConnection, _settings: Settings) -> CustomersService:
    """The production set: customers and the catalogue in the graph (copied from the monolith on first
    read), every change written back to the monolith's rows through the bridge; payments through the
    local stand-in for the payment gateway (the only one there is)."""
    return build(GraphCustomers(graph.backend, graph.bridge), GraphCatalogueAdmin(graph.backend, graph.bridge),
                 graph.bridge, GraphContracts(graph.backend), PublishedOpenWork(graph.backend),
                 bills=GraphBills(graph.backend, graph.bridge), gateway=LocalGateway())
