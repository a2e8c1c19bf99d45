"""The ticketing worker (`sysops ticketing-worker`): offer time-outs and follow-ups.

Its timers are the offers' `expires_at` in the graph, so a restarted (or second) worker finds every
due offer again; closing an offer succeeds once, so two workers never re-offer the same ticket twice.
"""
from __future__ import annotations

import logging
import os
import signal
from typing import Callable

from prometheus_client import Counter

from bridge_client import BridgeError
from foundation import request_ids
from foundation.loops import keep_running
from graph_store.config import open_store
from graph_store.errors import StoreError

from ..wiring import Ticketing, on_graph

log = logging.getLogger(__name__)


TIMED_OUT = Counter("sysops_offers_timed_out_total", "Offers the worker closed as timed out (and passed on)")
FOLLOWED_UP = Counter("sysops_tickets_followed_up_total", "Tickets the worker confirmed or dispatched late")


def run_once(ticketing: Ticketing) -> tuple[int, int]:
    expired = ticketing.assignment.expire_due_offers()
    TIMED_OUT.inc(expired)
    followed = ticketing.orchestrator.follow_up()
    FOLLOWED_UP.inc(followed)
    return expired, followed


# The graph (GraphUnavailable is a StoreError), the bridge, the network: all pass; the worker stays.
TRANSIENT = (StoreError, BridgeError, ConnectionError, OSError)


def run_forever(ticketing: Ticketing, should_stop: Callable[[], bool], interval: float = 1.0) -> None:
    def step() -> bool:
        request_ids.begin()  # one id per sweep: its bridge calls and log lines carry it
        expired, followed = run_once(ticketing)
        if expired or followed:
            log.info("offers timed out: %d, tickets followed up: %d", expired, followed)
        return False

    keep_running(step, should_stop, transient=TRANSIENT, log=log, idle=interval, max_backoff=5.0,
                 name="ticketing-worker")


def main(settings) -> int:
    request_ids.configure_logging("ticketing-worker")
    stopping: list[bool] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    graph = open_store(settings, "ticketing")
    try:
        ticketing = on_graph(graph, settings)
        print("ticketing-worker: watching offer time-outs", flush=True)
        run_forever(ticketing, lambda: bool(stopping),
                    interval=float(os.environ.get("SYSOPS_WORKER_INTERVAL_SECONDS", "1")))
    finally:
        graph.bridge.close()
        graph.close()
    return 0
