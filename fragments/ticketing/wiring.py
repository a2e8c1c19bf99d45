"""The composition root: one place that builds the use cases from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from foundation.config import Settings
from foundation.links import LinkSigner, LinkVerifier
from foundation.tokens import TokenSigner
from fragments.customers.published.reader_v1 import CustomersApi, installed_reader
from graph_store import GraphConnection

from .adapters import graph_stores
from .adapters.customers import PublishedCustomers
from .adapters.notifications_http import NotificationsHttp
from .services.assignment import Assignment
from .services.links import LinkChecking, Links, LinkSigning
from .services.management import TicketManagement
from .services.notices import CustomerNotices
from .services.orchestrator import Orchestrator
from .services.ports import BridgeClient, Clock, CustomerDirectory, Notifier, StaffAlerts, TicketingStores
from .services.service_levels import ServiceLevelAlerts
from .services.surveys import Surveys
from .services.visits import Visits


class NotifierAndAlerts(Notifier, StaffAlerts, Protocol):
    """The notifications service: it sends the messages and keeps the staff alerts."""

@dataclass(frozen=True)
class Ticketing:
    stores: TicketingStores
    management: TicketManagement
    assignment: Assignment
    orchestrator: Orchestrator
    surveys: Surveys
    visits: Visits
    service_levels: ServiceLevelAlerts
    links: Links | None  # None: messages carry no links (no signing key given)


def build(stores: TicketingStores, bridge: BridgeClient, *, notifier: NotifierAndAlerts, customers: CustomerDirectory,
          clock: Clock = dt.datetime.now,
          offer_timeout: dt.timedelta = dt.timedelta(minutes=15), public_url: str = "http://127.0.0.1:8000",
          link_signer: LinkSigning | None = None, link_checker: LinkChecking | None = None,
          reminders: tuple[dt.time, dt.time] = (dt.time(18), dt.time(7))) -> Ticketing:
    """`reminders`: from when a visit's reminders go, the day before and on its morning."""
    management = TicketManagement(stores.tickets, bridge, clock, customers)
    assignment = Assignment(stores.tickets, stores.offers, notifier, clock, offer_timeout, CustomerNotices(notifier))
    orchestrator = Orchestrator(management, assignment, public_url)
    links = (Links(orchestrator, link_signer, link_checker, stores.links, clock, public_url)
             if link_signer is not None and link_checker is not None else None)
    assignment.links = links  # an offer's message carries accept and refuse links
    visits = Visits(stores.tickets, stores.offers, assignment.notices, notifier, clock, links, *reminders)
    return Ticketing(stores, management, assignment, orchestrator, Surveys(stores.surveys, clock), visits,
                     ServiceLevelAlerts(stores.tickets, notifier, clock), links)


def on_graph(graph: GraphConnection, settings: Settings) -> Ticketing:
    """The production set: tickets in the graph, the monolith through the connection's bridge client,
    messages through the notifications service (as the ticketing service)."""
    return build(graph_stores(graph.backend, graph.bridge), graph.bridge, notifier=notifications_for(settings),
                 customers=customers_for(graph, settings),
                 link_signer=LinkSigner.from_folder(settings.signing_folder("ticketing"), "ticketing"),
                 link_checker=LinkVerifier.from_file(settings.public_keys, "ticketing"),
                 reminders=(dt.time.fromisoformat(settings.reminder_day_before_at),
                            dt.time.fromisoformat(settings.reminder_morning_at)),
                 offer_timeout=dt.timedelta(seconds=settings.offer_timeout_seconds), public_url=settings.public_url)


def notifications_for(settings: Settings) -> NotificationsHttp:
    signer = TokenSigner.from_folder(settings.signing_folder("ticketing"), "ticketing")
    return NotificationsHttp(settings.notifications_url, signer.service_token("fragment:notifications"))


def customers_for(graph: GraphConnection, settings: Settings) -> PublishedCustomers:
    """The customers service's published reads: the graph where it holds the customer, its API (as the
    ticketing service) to copy one it does not hold yet. Never the monolith."""
    signer = TokenSigner.from_folder(settings.signing_folder("ticketing"), "ticketing")
    return PublishedCustomers(installed_reader(graph.backend, CustomersApi(
        settings.customers_url, signer.service_token("fragment:customers")), graph.bridge,
        "customers" in dict(settings.fragments)))
