"""Graph database backends behind one small interface (read, write, schema)."""
from __future__ import annotations

from typing import Any, Protocol

from ..errors import StoreError


class GraphUnavailable(StoreError):
    """The graph database could not be reached or refused the query for a transient reason. A
    StoreError like the others, so every loop that outlives store trouble outlives this too."""


class GraphBackend(Protocol):
    name: str

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def ping(self) -> bool: ...  # GraphUnavailable if the server does not answer
    def ensure_schema(self) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


# Every node key the store MERGEs on; each backend turns these into indexes and unique constraints.
# Plain (non-unique) indexes for scans: a report's days (the numeric `created_day`, not the string
# `created_at`: FalkorDB's index answers a two-sided range on a string property with every node, seen
# with 3 nodes), the waiting queue, a customer's tickets, bookings and surveys.
RANGE_INDEXES = [("Ticket", "status"), ("Ticket", "created_day"), ("Ticket", "customer_id"), ("Booking", "ticket_id"),
                 ("Survey", "expert_id")]

UNIQUE_KEYS = [
    ("Ticket", "id"), ("Customer", "id"), ("Contract", "id"), ("Product", "id"), ("Locale", "id"),
    ("Expert", "id"), ("Event", "key"), ("Booking", "key"), ("CallCentreStaff", "username"),
    ("Article", "id"), ("MigrationRun", "id"), ("Survey", "ticket_id"), ("Expertise", "product_id"),
    ("Counter", "name"), ("RaiseRequest", "key"), ("ReportDay", "day"),
]
