"""Migrate-on-read, for any part of the monolith that moves into the graph (docs/adr/0006, 0020).

A part (tickets, knowledge-base articles, the next ones) says how to freeze its legacy records, how
one record looks in the graph, its create-only write query, and how to mark records migrated; the part
lives with the service that owns its nodes (fragments/ticketing/adapters/migration.py tells the steps
for tickets). The steps and their crash safety are the same for all:

1. freeze: the legacy system stops accepting writes to the records and returns them as of that
   moment, in one legacy transaction (idempotent: a record frozen before returns the same content);
2. write every record of the batch in ONE create-only query: the node is MERGEd with a one-off token
   set only ON CREATE and everything else is written only where this call created it, so a
   concurrent or replayed migration writes nothing and an edit made in the graph is never overwritten;
3. mark the legacy records migrated (bookkeeping; the freeze already stopped legacy writes).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Iterator, Protocol

from bridge_client import BridgeClient, Unavailable

from .backends import GraphBackend
from .errors import MigrationUnavailable
from .faults import crash_point


class Part(Protocol):
    """One part of the monolith that moves into the graph."""

    name: str  # "tickets", "articles": in progress reports
    write_query: str  # UNWIND $items AS s ... (create-only, guarded by $token) RETURN <key> AS id

    # With a `reader` ({role, customer_id, expert_id}): only the records that reader may read are frozen
    # and returned; a part whose records everyone may read ignores it.
    def freeze(self, bridge: BridgeClient, ids: list[int],
               reader: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]: ...
    def mark(self, bridge: BridgeClient, ids: list[int]) -> None: ...
    def after_write(self, backend: GraphBackend, shapes: list[dict[str, Any]]) -> None: ...
    def missing(self, record_id: int) -> Exception: ...
    # Reconciliation (graph_store/reconciliation.py): every legacy record's content checksum with its
    # migration marks, and the checksum each copy was taken at.
    def legacy_checksums(self, bridge: BridgeClient, page_size: int) -> Iterator[dict[str, Any]]: ...
    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]: ...


class HandoverPart:
    """The steps every part the bridge hands over by kind shares (its `/handover/<kind>/` routes: freeze,
    mark, checksums); a subclass names the kind (`name`) and says how a record looks in the graph
    (`write_query`, `shape`, `missing`, `copied_checksums`)."""

    name: str

    def freeze(self, bridge: BridgeClient, ids: list[int],
               reader: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return bridge.freeze_handover(self.name, ids)  # who may read what is the service's check, before

    def mark(self, bridge: BridgeClient, ids: list[int]) -> None:
        bridge.mark_handover(self.name, ids)

    def after_write(self, backend: GraphBackend, shapes: list[dict[str, Any]]) -> None:
        return None

    def legacy_checksums(self, bridge: BridgeClient, page_size: int) -> Iterator[dict[str, Any]]:
        return bridge.handover_checksums(self.name, page_size)


class LazyMigration:
    """Moves records of one part into the graph: one at a time on first read, or in batches."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient, part: Part):
        self.db = backend
        self.bridge = bridge
        self.part = part

    def write(self, records: list[dict[str, Any]], via: str, now: dt.datetime) -> int:
        """One atomic, create-only write of a batch of frozen records. Returns how many this call created."""
        if not records:
            return 0
        shapes = [self.part.shape(record, via, now) for record in records]
        crash_point("before-graph-write")
        size = self.db.max_write_items or len(shapes)
        created = []
        for start in range(0, len(shapes), size):  # one query, unless the backend takes fewer records
            created += self.db.write(self.part.write_query, {"items": shapes[start:start + size],
                                                             "token": uuid.uuid4().hex})
        crash_point("after-graph-write")
        if created:
            made = {row["id"] for row in created}
            self.part.after_write(self.db, [s for s in shapes if s["key"] in made])
        return len(created)

    def freeze(self, ids: list[int], reader: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            records = self.part.freeze(self.bridge, ids, reader)
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        crash_point("after-freeze")
        return records

    def migrate(self, record_id: int, via: str, now: dt.datetime | None = None,
                reader: dict[str, Any] | None = None) -> bool:
        """Make sure one record is in the graph (the lazy path). True if this call created it. On behalf
        of a `reader`, the monolith freezes it only if that reader may read it, in the same transaction:
        a refused read freezes and writes nothing and is reported missing."""
        records = self.freeze([record_id], reader)
        if not records:
            raise self.part.missing(record_id)
        created = self.write(records, via, now or dt.datetime.now())
        self.ensure_legacy_marked([record_id])
        return bool(created)

    def migrate_batch(self, ids: list[int], via: str, now: dt.datetime | None = None) -> int:
        """The backfill's unit: freeze a batch in one bridge call, write it in one graph query, mark it
        in one bridge call. Returns how many records this call created."""
        records = self.freeze(ids)
        created = self.write(records, via, now or dt.datetime.now())
        self.ensure_legacy_marked([record["id"] for record in records])
        return created

    def ensure_legacy_marked(self, ids: list[int]) -> None:
        if not ids:
            return
        try:
            self.part.mark(self.bridge, ids)
        except Unavailable:
            return  # frozen and copied: only the bookkeeping waits, for the backfill or reconciliation
        crash_point("after-legacy-mark")


__all__ = ["HandoverPart", "LazyMigration", "Part"]
