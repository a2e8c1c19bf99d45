"""The day a part of the monolith is switched over to its new service, and the day it is switched back,
for any part (the part's owner says which records and how they look in the legacy schema:
fragments/ticketing/adapters/cutover.py for tickets).

Cut-over: the records the part names (for tickets, open legacy work) move now, through the lazy path's
own batched, create-only write; the rest stay lazy (first read, or the backfill at leisure).

Rollback: every record the graph holds is written back into the legacy schema through the bridge, page
by page; only once all are back does the graph forget them, so the monolith serves and edits them
again and a later cut-over copies them afresh. Both are resumable: run again after any interruption.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol

from .backfill import BackfillResult, backfill_ids
from .lazy import LazyMigration


def cut_over(migration: LazyMigration, ids: Iterator[int], *, batch_size: int = 200,
             on_progress: Callable[[int], None] | None = None) -> BackfillResult:
    """Move these legacy records now."""
    return backfill_ids(migration, ids, batch_size=batch_size, via="cutover", on_progress=on_progress)


class RollbackRefused(Exception):
    """A rollback that would lose something (a write the monolith has no place for, a write-back still
    waiting): nothing was changed; the message says what and what to do."""


class RollbackPart(Protocol):
    """What a part's owner tells the rollback."""

    def ids_after(self, after: int, limit: int) -> list[int]: ...  # graph record ids, in order
    def legacy_records(self, ids: list[int]) -> list[dict[str, Any]]: ...  # in the legacy schema's shape
    def write_back(self, records: list[dict[str, Any]]) -> None: ...  # through the bridge (an upsert)
    def forget(self, limit: int) -> int: ...  # remove up to `limit` records from the graph; how many


@dataclass
class Rollback:
    written_back: int = 0
    removed: int = 0


def roll_back(part: RollbackPart, *, batch_size: int = 100,
              on_progress: Callable[[int], None] | None = None) -> Rollback:
    """Write every record of the part back to the legacy system, then empty the graph of them."""
    result = Rollback()
    after = 0
    while ids := part.ids_after(after, batch_size):
        part.write_back(part.legacy_records(ids))
        result.written_back += len(ids)
        after = ids[-1]
        if on_progress:
            on_progress(result.written_back)
    while removed := part.forget(batch_size):
        result.removed += removed
    return result
