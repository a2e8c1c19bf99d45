"""The composition root: one place that builds the use cases from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from foundation.tokens import Principal, TokenSigner
from graph_store import GraphConnection

from .adapters import graph_stores
from .adapters.notifications_http import NotificationsHttp
from .services.assignment import Assignment
from .services.management import TicketManagement
from .services.notices import CustomerNotices
from .services.orchestrator import Orchestrator
from .services.ports import BridgeClient, Clock, Notifier, TicketingStores
from .services.surveys import Surveys


@dataclass(frozen=True)
class Ticketing:
    stores: TicketingStores
    management: TicketManagement
    assignment: Assignment
    orchestrator: Orchestrator
    surveys: Surveys


def build(stores: TicketingStores, bridge: BridgeClient, *, notifier: Notifier, clock: Clock = dt.datetime.now,
          offer_timeout: dt.timedelta = dt.timedelta(minutes=15),
          public_url: str = "http://127.0.0.1:8000") -> Ticketing:
    management = TicketManagement(stores.tickets, bridge, clock)
    assignment = Assignment(stores.tickets, stores.offers, bridge, clock, offer_timeout, CustomerNotices(notifier))
    return Ticketing(stores, management, assignment, Orchestrator(management, assignment, public_url),
                     Surveys(stores.surveys, clock))


def on_graph(graph: GraphConnection, settings: Settings) -> Ticketing:
    """The production set: tickets in the graph, the monolith through the connection's bridge client,
    messages through the notifications service (as the ticketing service)."""
    return build(graph_stores(graph.backend, graph.bridge), graph.bridge, notifier=notifications_for(settings),
                 offer_timeout=dt.timedelta(seconds=settings.offer_timeout_seconds), public_url=settings.public_url)


def notifications_for(settings: Settings) -> NotificationsHttp:
    signer = TokenSigner.from_folder(settings.signing_folder("ticketing"), "ticketing")
    return NotificationsHttp(settings.notifications_url,
                             lambda: signer.mint(Principal("service", "ticketing"), "fragment:notifications"))
