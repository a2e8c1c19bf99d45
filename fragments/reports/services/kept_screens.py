"""The last screen built for each period, shown "as of" when building it again is slow (docs/adr/0041).

A report is built afresh on each request while that is quick. When it is not (the whole business at 100x
while the long tail moves: every day the backfill touches is summarised again and the legacy rows are read
through the bridge), the managers are not kept waiting, and the stores are not asked again and again:

- a screen whose last build took `slow_s` (2 s) or longer is shown as it was for `reuse_s` after it was built,
  with the time it is "as of";
- otherwise it is built again (one build per period at a time, shared by the requests that ask meanwhile);
  a request waits up to `wait_s` (2 s) for it, then is shown the last screen built, "as of" its time, while the
  build goes on and is kept for the next request. With no screen built yet for that period, it is told
  that the report is being computed since when (`pending`), and asks again: no request holds one of the
  process's threads longer than `wait_s` while a report is computed.

Figures are never mixed: a screen is one build's, whole, with one time.

Why not foundation.shared_reads (which also shares one read among the callers that ask meanwhile): its
callers wait for the read to end, and the read runs on the first caller's thread. Here a request must be
able to stop waiting while the build goes on and is kept, so builds run on this object's own threads.
"""
from __future__ import annotations

import contextvars
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillBuilding
from dataclasses import dataclass
from typing import Any, Callable, Hashable

SLOW_S = 2.0  # a build that takes this long is slow: not repeated for REUSE_S
WAIT_S = 2.0  # how long a request waits for a build before it is shown the last screen or told to wait
REUSE_S = 60.0
HELD = 16  # periods whose last screen is held (a manager's few ranges; a screen is tens of KB)


@dataclass(frozen=True)
class _Kept:
    screen: dict[str, Any]
    as_of: Any  # the report's clock when the build started: what its figures are as of
    built_at: float  # monotonic
    took_s: float


class KeptScreens:
    def __init__(self, slow_s: float = SLOW_S, reuse_s: float = REUSE_S, wait_s: float = WAIT_S,
                 clock: Callable[[], float] = time.monotonic):
        self.slow_s, self.reuse_s, self.wait_s, self.clock = slow_s, reuse_s, wait_s, clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._building: dict[Hashable, tuple[Future[_Kept], Any]] = {}  # the build, and when it began
        self._failed: dict[Hashable, BaseException] = {}  # why the last build failed, none waiting for it
        # Builds run here so that a request that stops waiting leaves its build going (threads start at the
        # first build, after gunicorn forked).
        self._builders = ThreadPoolExecutor(2, thread_name_prefix="report-build")

    def building(self, key: Hashable) -> bool:
        """Whether a build of `key`'s screen is under way."""
        with self._lock:
            return key in self._building

    def screen(self, key: Hashable, build: Callable[[], dict[str, Any]], now: Callable[[], Any]) -> dict[str, Any]:
        """The screen for `key`: `build()`'s answer (`pending` False, `as_of` None); or the last one kept,
        with `as_of` (its `now()` when its build began) and `updating` (a newer build is under way); or,
        none kept, only `pending` True and `as_of` (when the build under way began)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                if kept.took_s >= self.slow_s and self.clock() - kept.built_at < self.reuse_s:
                    return {**kept.screen, "as_of": kept.as_of, "updating": False, "pending": False}
            building = self._building.get(key)
            failed = self._failed.pop(key, None)
            if building is None and failed is not None:
                raise failed  # told once, as a request waiting for that build would have been; then tried again
            if building is None:
                began = now()
                # in a copy of this request's context: the build's calls carry its request id
                future = self._builders.submit(contextvars.copy_context().run, self._build, key, build, began)
                building = self._building[key] = (future, began)
        future, began = building
        try:
            fresh = future.result(timeout=self.wait_s)
        except StillBuilding:
            if kept is None:
                return {"pending": True, "as_of": began, "updating": True}
            return {**kept.screen, "as_of": kept.as_of, "updating": True, "pending": False}
        except BaseException:
            with self._lock:  # told here: the next request tries again
                self._failed.pop(key, None)
            raise
        return {**fresh.screen, "as_of": None, "updating": False, "pending": False}

    def _build(self, key: Hashable, build: Callable[[], dict[str, Any]], as_of: Any) -> _Kept:
        try:
            started = self.clock()
            screen = build()
            kept = _Kept(screen, as_of, self.clock(), self.clock() - started)
            with self._lock:
                self._kept[key] = kept
                self._kept.move_to_end(key)
                while len(self._kept) > HELD:
                    self._kept.popitem(last=False)
            return kept
        except BaseException as exc:
            with self._lock:
                self._failed[key] = exc
            raise
        finally:  # a failed build is not kept: the next request is told why, the one after tries again
            with self._lock:
                self._building.pop(key, None)
