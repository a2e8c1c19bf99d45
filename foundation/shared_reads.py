"""One read per key at a time: while a read of a key runs, callers asking for the same key wait for it
and share its answer (or its error) instead of asking again. For expensive reads of another system that
many requests ask at once (a manager's report reading the monolith's long tail): the other system does
the work once, and a slow answer does not pile up copies of itself behind it."""
from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class SharedReads(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[T]] = {}
        self._waiting: dict[Hashable, int] = {}

    def waiting(self, key: Hashable) -> int:
        """How many callers wait for the read of `key` that runs now."""
        with self._lock:
            return self._waiting.get(key, 0)

    def read(self, key: Hashable, fetch: Callable[[], T]) -> T:
        with self._lock:
            running = self._running.get(key)
            mine = running is None
            if running is None:
                running = self._running[key] = Future()
            else:
                self._waiting[key] = self._waiting.get(key, 0) + 1
        if not mine:
            try:
                return running.result()
            finally:
                with self._lock:
                    self._waiting[key] -= 1
                    if not self._waiting[key]:
                        del self._waiting[key]
        try:
            value = fetch()
        except BaseException as exc:
            running.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)
        running.set_result(value)
        return value
