"""The ticketing worker (`sysops ticketing-worker`): the follow-up of every raise, offer time-outs.

Visits (services/visits.py): reminders, the experts' day lists and visits at risk every
`SYSOPS_VISITS_SWEEP_SECONDS` (5 s). Raised tickets: polled every `SYSOPS_FOLLOW_UP_POLL_SECONDS`
(0.2 s), confirmed and dispatched in
batches (services/follow_ups.py). Its timers are the offers' `expires_at` in the graph, so a restarted
(or second) worker finds every due offer again; closing an offer succeeds once, so two workers never
re-offer the same ticket twice. The wider sweep (tickets still unconfirmed for any reason) runs every
10 s. The worker runs at a lower CPU priority than the web apps (`SYSOPS_WORKER_NICE`, 5): what it
does follows an answer already given, and the people waiting for a page come first.
"""
from __future__ import annotations

import logging
import os
import signal
import time
from typing import Callable

from prometheus_client import Counter

from bridge_client import BridgeError
from foundation import request_ids
from foundation.loops import keep_running
from graph_store.config import open_store
from graph_store.errors import StoreError

from ..services.follow_ups import FollowUps
from ..services.ports import LegacyUnavailable, NotificationsUnavailable, TicketingStoreError
from ..wiring import Ticketing, on_graph

log = logging.getLogger(__name__)


TIMED_OUT = Counter("sysops_offers_timed_out_total", "Offers the worker closed as timed out (and passed on)")
VISITS_WATCHED = Counter("sysops_visit_actions_total", "Reminders, day lists and at-risk flags the worker acted on")
# Reminders, the experts' day lists and visits at risk are looked at this often.
VISITS_EVERY_S = float(os.environ.get("SYSOPS_VISITS_SWEEP_SECONDS", "5"))
COMMITMENTS_EVERY_S = 60.0  # every open legacy commitment moved in (assignment.COMMITMENTS_FRESH)
FOLLOWED_UP = Counter("sysops_tickets_followed_up_total", "Raised tickets the worker followed up (confirmed, dispatched)")


class Schedule:
    """Which of the worker's jobs are due at a poll: follow-ups at every poll, offer time-outs every
    `offers_every` seconds, the wide sweep every 10 s."""

    def __init__(self, ticketing: Ticketing, offers_every: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.ticketing, self.clock, self.offers_every = ticketing, clock, offers_every
        self.follow_ups = FollowUps(ticketing.orchestrator, ticketing.stores.tickets)
        self._next = {"offers": 0.0, "sweep": 0.0, "visits": 0.0, "commitments": 0.0, "service_levels": 0.0}

    def _due(self, job: str, every: float) -> bool:
        now = self.clock()
        if now < self._next[job]:
            return False
        self._next[job] = now + every
        return True

    def run_once(self) -> tuple[int, int]:
        followed = self.follow_ups.step()
        expired = self.ticketing.assignment.expire_due_offers() if self._due("offers", self.offers_every) else 0
        TIMED_OUT.inc(expired)
        if self._due("sweep", 10.0):
            followed += self.ticketing.orchestrator.follow_up()
        if self._due("commitments", COMMITMENTS_EVERY_S):
            try:
                self.ticketing.assignment.bind_all_commitments()
            except LegacyUnavailable:
                pass  # known as of the last time; assignment waits once that is too old
        if self._due("service_levels", VISITS_EVERY_S):
            self.ticketing.service_levels.sweep()
        if self._due("visits", VISITS_EVERY_S):
            VISITS_WATCHED.inc(self.ticketing.visits.sweep())
        FOLLOWED_UP.inc(followed)
        return expired, followed


# The graph (the ports' errors, and the engine's should one ever get past an adapter), the bridge, the
# network: all pass; the worker stays.
TRANSIENT = (TicketingStoreError, StoreError, BridgeError, NotificationsUnavailable, ConnectionError, OSError)


def run_forever(ticketing: Ticketing, should_stop: Callable[[], bool], interval: float = 0.2,
                offers_every: float = 1.0) -> None:
    schedule = Schedule(ticketing, offers_every)

    def step() -> bool:
        request_ids.begin()  # one id per sweep: its bridge calls and log lines carry it
        expired, followed = schedule.run_once()
        if expired or followed:
            log.info("offers timed out: %d, tickets followed up: %d", expired, followed)
        return False

    keep_running(step, should_stop, transient=TRANSIENT, log=log, idle=interval, max_backoff=5.0,
                 name="ticketing-worker")


def main(settings) -> int:
    request_ids.configure_logging("ticketing-worker")
    os.nice(int(os.environ.get("SYSOPS_WORKER_NICE", "5")))
    stopping: list[bool] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    graph = open_store(settings, "ticketing")
    try:
        ticketing = on_graph(graph, settings)
        print("ticketing-worker: following up raised tickets, watching offer time-outs", flush=True)
        run_forever(ticketing, lambda: bool(stopping),
                    interval=float(os.environ.get("SYSOPS_FOLLOW_UP_POLL_SECONDS", "0.2")),
                    offers_every=float(os.environ.get("SYSOPS_WORKER_INTERVAL_SECONDS", "1")))
    finally:
        graph.bridge.close()
        graph.close()
    return 0
