"""The graph engine's errors as the ticketing ports declare them: every public method of an adapter
raises only those, so the use cases never import the engine's."""
from __future__ import annotations

from graph_store.errors import port_errors as translating

from ..services.ports import LegacyUnavailable, TicketingStoreError

port_errors = translating(TicketingStoreError, LegacyUnavailable)
