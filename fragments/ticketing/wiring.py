"""The composition root: one place that builds the use cases from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .adapters.graph import GraphTicketStore
from .services.assignment import Assignment
from .services.management import TicketManagement
from .services.notices import CustomerNotices
from .services.orchestrator import Orchestrator
from .services.ports import BridgeClient, Clock, TicketStore
from .services.surveys import Surveys


@dataclass(frozen=True)
class Ticketing:
    management: TicketManagement
    assignment: Assignment
    orchestrator: Orchestrator
    surveys: Surveys


def build(store: TicketStore, bridge: BridgeClient, *, clock: Clock = dt.datetime.now,
          offer_timeout: dt.timedelta = dt.timedelta(minutes=15),
          public_url: str = "http://127.0.0.1:8000") -> Ticketing:
    management = TicketManagement(store, bridge, clock)
    assignment = Assignment(store, bridge, clock, offer_timeout, CustomerNotices(bridge))
    return Ticketing(management, assignment, Orchestrator(management, assignment, public_url), Surveys(store, clock))


def on_graph(graph, settings) -> Ticketing:
    """The production set: tickets in graph_store, the monolith through the graph store's bridge client."""
    return build(GraphTicketStore(graph), graph.bridge, offer_timeout=dt.timedelta(seconds=settings.offer_timeout_seconds),
                 public_url=settings.public_url)
