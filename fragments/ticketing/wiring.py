"""The composition root: one place that builds the use cases from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from graph_store import GraphConnection

from .adapters import graph_stores
from .services.assignment import Assignment
from .services.management import TicketManagement
from .services.notices import CustomerNotices
from .services.orchestrator import Orchestrator
from .services.ports import BridgeClient, Clock, TicketingStores
from .services.surveys import Surveys


@dataclass(frozen=True)
class Ticketing:
    stores: TicketingStores
    management: TicketManagement
    assignment: Assignment
    orchestrator: Orchestrator
    surveys: Surveys


def build(stores: TicketingStores, bridge: BridgeClient, *, clock: Clock = dt.datetime.now,
          offer_timeout: dt.timedelta = dt.timedelta(minutes=15),
          public_url: str = "http://127.0.0.1:8000") -> Ticketing:
    management = TicketManagement(stores.tickets, bridge, clock)
    assignment = Assignment(stores.tickets, stores.offers, bridge, clock, offer_timeout, CustomerNotices(bridge))
    return Ticketing(stores, management, assignment, Orchestrator(management, assignment, public_url),
                     Surveys(stores.surveys, clock))


def on_graph(graph: GraphConnection, settings: Settings) -> Ticketing:
    """The production set: tickets in the graph, the monolith through the connection's bridge client."""
    return build(graph_stores(graph.backend, graph.bridge), graph.bridge,
                 offer_timeout=dt.timedelta(seconds=settings.offer_timeout_seconds), public_url=settings.public_url)
