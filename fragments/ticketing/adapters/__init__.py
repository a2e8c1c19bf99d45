"""The ticketing service's data code: its queries on the nodes it owns, each adapter the port it
implements (the adapter is the repository)."""
from __future__ import annotations

from bridge_client import BridgeClient
from graph_store.backends import GraphBackend

from ..services.ports import TicketingStores
from .links import GraphLinks
from .offers import GraphOffers
from .surveys import GraphSurveys
from .tickets import GraphTickets


def graph_stores(backend: GraphBackend, bridge: BridgeClient) -> TicketingStores:
    return TicketingStores(GraphTickets(backend, bridge), GraphOffers(backend), GraphSurveys(backend, bridge),
                           GraphLinks(backend))
