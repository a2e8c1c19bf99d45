"""Bulk migration of any part beside live traffic: the lazy path's own write, in bounded batches
(one bridge call freezes a batch, one graph query writes it, one bridge call marks it).

Resumable by construction: it walks legacy ids not yet marked migrated, and a ticket already in
the graph is only re-marked. Concurrent runs and lazy reads are safe because the per-ticket write
is create-only.
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Iterator, TextIO, TypeVar

from .backends import GraphUnavailable
from .errors import MigrationUnavailable
from .lazy import LazyMigration

RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # a batch the legacy system or the graph did not answer in time

T = TypeVar("T")


def retried(call: Callable[[], T], errors: tuple[type[Exception], ...]) -> T:
    """`call()`, again after each pause of RETRY_DELAYS while it raises one of `errors`; after the last
    pause its error stands. Only for a call that is safe to repeat (idempotent, or read-only)."""
    for pause in RETRY_DELAYS:
        try:
            return call()
        except errors:
            time.sleep(pause)
    return call()


@dataclass
class BackfillResult:
    seen: int = 0
    migrated: int = 0
    already: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.seen / self.seconds if self.seconds else 0.0


def _batches(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for ticket_id in ids:
        batch.append(ticket_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class ProgressBar:
    def __init__(self, total: int, out: TextIO = sys.stderr, width: int = 30):
        self.total, self.out, self.width = max(total, 1), out, width
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        filled = int(self.width * min(done, self.total) / self.total)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.out.write(f"\rbackfill [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} "
                       f"{rate:,.0f} records/s")
        self.out.flush()

    def close(self) -> None:
        self.out.write("\n")


def backfill_ids(migrator: LazyMigration, ids: Iterator[int], *, batch_size: int = 400, workers: int = 3,
                 limit: int | None = None, via: str = "backfill",
                 on_progress: Callable[[int], None] | None = None) -> BackfillResult:
    """Migrate the given legacy ids in batches, each one freeze call, one graph write and one mark call.

    Up to `workers` batches are in flight at once, so the legacy system freezes and serialises the
    next batches while the graph writes this one. On a 2-core machine at 100x, batches of 400 with 3 in
    flight measured ~2,100 tickets/s against ~1,600-1,800 with 2 and ~1,150 with one at a time."""
    result = BackfillResult()
    started = time.perf_counter()
    in_flight: dict[Future, int] = {}

    def settle(return_when: str) -> None:
        done, _ = wait(in_flight, return_when=return_when)
        for future in done:
            size = in_flight.pop(future)
            created = future.result()
            result.seen += size
            result.migrated += created
            result.already += size - created
            if on_progress:
                on_progress(result.seen)

    def migrate(batch: list[int]) -> int:
        """One batch, again after a pause while the legacy system or the graph does not answer in time
        (busy with live traffic, say): each step is idempotent (the freeze keeps its first time, the graph
        write is create-only by key, the mark is conditional), so a batch whose answer was lost is safe to
        repeat. After the last pause the error stands, and the run resumes from where it stopped."""
        return retried(lambda: migrator.migrate_batch(batch, via), (MigrationUnavailable, GraphUnavailable))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        submitted = 0
        for batch in _batches(ids, batch_size):
            if limit is not None:
                batch = batch[: max(limit - submitted, 0)]
                if not batch:
                    break
            if len(in_flight) >= workers:
                settle(FIRST_COMPLETED)
            in_flight[pool.submit(migrate, batch)] = len(batch)
            submitted += len(batch)
        if in_flight:
            settle(ALL_COMPLETED)
    result.seconds = time.perf_counter() - started
    return result
