"""Background loops that outlive outages: a step that fails for a transient reason (the graph, the
bridge, the database or the mail server not answering) is logged and retried with a growing pause,
never the end of the process. Anything else is a bug and ends the loop (the supervisor restarts it).

Each loop counts its steps by outcome and keeps the time of its last good step (Prometheus): a worker
runs beside the web app it belongs to and writes into that app's multiprocess folder, so the app's
`/metrics` shows it (sysops/launcher.observe). An operator alerts on a last good step that grows old."""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterator

from prometheus_client import Counter, Gauge

STEPS = Counter("sysops_loop_steps_total", "Steps of a background loop, by outcome", ["loop", "outcome"])
LAST_GOOD = Gauge("sysops_loop_last_success_timestamp_seconds", "When a background loop last finished a step",
                  ["loop"], multiprocess_mode="max")


def pause(should_stop: Callable[[], bool], seconds: float) -> None:
    """Sleep up to `seconds`, waking early when asked to stop."""
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


def keep_running(step: Callable[[], bool], should_stop: Callable[[], bool], *,
                 transient: tuple[type[BaseException], ...], log: logging.Logger, idle: float,
                 max_backoff: float = 5.0, wait: Callable[[Callable[[], bool], float], None] = pause,
                 name: str = "loop") -> None:
    """Call `step` until `should_stop()`. A step returns True when it did work and should run again at
    once, False to rest `idle` seconds. After a transient failure the pause doubles from `idle` up to
    `max_backoff` (small: due work waits at most that long once the outage ends)."""
    failures = 0
    while not should_stop():
        try:
            busy = step()
        except transient as exc:
            STEPS.labels(name, "failed").inc()
            failures += 1
            delay = min(max_backoff, max(idle, 0.1) * 2 ** min(failures - 1, 16))
            log.warning("step failed (%d in a row), retrying in %.1f s: %s: %s", failures, delay, _kinds(exc), exc)
            wait(should_stop, delay)
            continue
        STEPS.labels(name, "ok").inc()
        LAST_GOOD.labels(name).set(time.time())
        if failures:
            log.info("working again after %d failed attempts", failures)
            failures = 0
        if not busy:
            wait(should_stop, idle)


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The error and what caused it, outermost first (a port's error, then the store's trouble)."""
    while exc is not None:
        yield exc
        exc = exc.__cause__


def _kinds(exc: BaseException) -> str:
    """"TicketingStoreError < GraphUnavailable": a port's error names the store's trouble it stands for."""
    return " < ".join(type(cause).__name__ for cause in causes(exc))
