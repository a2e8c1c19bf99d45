"""What every service shares of the graph: the engine (backends, the embedded server, sentinels,
persistence, configuration), the migration protocol generic over a part of the monolith (a part, lazy
migration, backfill, reconciliation), and errors.

Nothing here knows a ticket, an article, a report or a profile: each service's queries live with that
service (`fragments/<name>/adapters/`), and what one service may read of another's nodes is the owner's
published, versioned query module (`fragments/<name>/published/`). docs/architecture.md draws who owns
which nodes.
"""
from __future__ import annotations

from dataclasses import dataclass

from bridge_client import BridgeClient

from .backends import GraphBackend, GraphUnavailable
from .errors import MigrationUnavailable, StoreError
from .schema import Schema

__all__ = ["GraphBackend", "GraphConnection", "GraphUnavailable", "MigrationUnavailable", "Schema", "StoreError"]


@dataclass(frozen=True)
class GraphConnection:
    """A service's way to the graph, and to the monolith it migrates from: what its wiring builds its
    repositories over."""

    backend: GraphBackend
    bridge: BridgeClient

    def close(self) -> None:
        self.backend.close()
