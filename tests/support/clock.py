"""The one fake clock of the tests: what a service under test takes as its `clock` (a callable answering
the time), set and moved by the test instead of waited for."""
from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

T = TypeVar("T", float, dt.datetime)


class Clock(Generic[T]):
    """`clock()` answers `clock.now`: seconds (as `time.time` or `time.monotonic`) or a datetime, as the
    code under test reads its time."""

    def __init__(self, now: T):
        self.now: T = now

    def __call__(self) -> T:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the time on by a `datetime.timedelta`'s keywords (seconds=, minutes=, hours=, days=)."""
        step = dt.timedelta(**delta)
        if isinstance(self.now, dt.datetime):
            self.now = self.now + step
        else:
            self.now = self.now + step.total_seconds()
