"""The composition root: the experts fragment's use cases built from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from foundation.exchange import AUDIENCE as EXCHANGE_AUDIENCE
from foundation.exchange import ExchangeClient
from foundation.tokens import Principal, TokenSigner
from fragments.customers.published.reader_v1 import CustomersApi, installed_reader
from graph_store import GraphConnection

from .adapters.directory import PublishedDirectory
from .adapters.knowledge_http import KnowledgeHttp
from .adapters.legacy_knowledge import LegacyKnowledge
from .adapters.profiles import GraphProfiles, GraphRoster
from .adapters.ticketing_http import TicketingHttp
from .services.ports import BridgeClient, Clock, Directory, ProfileStore, RosterStore
from .services.profile import ExpertProfile
from .services.roster import Roster
from .services.work import ExpertWork


@dataclass(frozen=True)
class Experts:
    ticketing: TicketingHttp  # or a test double with the same `acting_as`
    knowledge: KnowledgeHttp | LegacyKnowledge  # likewise
    directory: Directory
    profile: ExpertProfile
    clock: Clock
    roster: Roster | None  # None: an installation (a test) without the admins' roster

    def work_of(self, principal: Principal, csrf: str) -> ExpertWork:
        """The logged-in expert's work: every ticketing call is made as that expert."""
        return ExpertWork(self.ticketing.acting_as(principal, csrf), self.knowledge.acting_as(principal), self.directory,
                          self.clock, principal.expert_id)


def build(ticketing, bridge: BridgeClient, profiles: ProfileStore, directory: Directory, clock: Clock = dt.datetime.now,
          knowledge=None, roster: RosterStore | None = None) -> Experts:
    """Without a knowledge service, a ticket's articles come from the monolith's own KB search; customers
    and the catalogue from `directory` (tests: a fake monolith's, read through the same port)."""
    return Experts(ticketing, knowledge if knowledge is not None else LegacyKnowledge(bridge), directory,
                   ExpertProfile(profiles, directory, clock), clock,
                   Roster(roster, directory, bridge, clock) if roster is not None else None)


def on_graph(graph: GraphConnection, settings: Settings) -> Experts:
    """The production set: ticketing over HTTP, profiles in the graph, the monolith through the bridge."""
    knowledge_url = dict(settings.fragments).get("knowledge")
    signer = TokenSigner.from_folder(settings.signing_folder("experts"), "experts")
    reader = installed_reader(graph.backend, CustomersApi(settings.customers_url, signer.service_token("fragment:customers")),
                              graph.bridge, "customers" in dict(settings.fragments))
    # The expert's day calls ticketing and the knowledge base as the expert, with tokens traded for theirs.
    exchange = ExchangeClient(settings.token_exchange_url, signer.service_token(EXCHANGE_AUDIENCE))
    return build(TicketingHttp(settings.ticketing_url, exchange), graph.bridge, GraphProfiles(graph.backend),
                 PublishedDirectory(reader),
                 knowledge=KnowledgeHttp(knowledge_url, exchange) if knowledge_url else None,
                 roster=GraphRoster(graph.backend))
