"""The composition root: the experts fragment's use cases built from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from foundation.tokens import Principal
from graph_store import GraphStore

from .adapters.ticketing_http import TicketingHttp
from .services.ports import BridgeClient, Clock, ProfileStore
from .services.profile import ExpertProfile
from .services.work import ExpertWork


@dataclass(frozen=True)
class Experts:
    ticketing: TicketingHttp  # or a test double with the same `acting_as`
    bridge: BridgeClient
    profile: ExpertProfile
    clock: Clock

    def work_of(self, principal: Principal, csrf: str) -> ExpertWork:
        """The logged-in expert's work: every ticketing call is made as that expert."""
        return ExpertWork(self.ticketing.acting_as(principal, csrf), self.bridge, self.clock, principal.expert_id)


def build(ticketing, bridge: BridgeClient, profiles: ProfileStore, clock: Clock = dt.datetime.now) -> Experts:
    return Experts(ticketing, bridge, ExpertProfile(profiles, bridge, clock), clock)


def on_graph(graph: GraphStore, settings: Settings) -> Experts:
    """The production set: ticketing over HTTP, profiles in the graph, the monolith through the bridge."""
    return build(TicketingHttp(settings.ticketing_url), graph.bridge, graph.experts)
