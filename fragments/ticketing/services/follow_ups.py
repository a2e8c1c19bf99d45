"""The worker's follow-up of raised tickets: the web answer says "received" once the ticket is stored;
from there the worker takes every ticket still `new` within one poll, all of them in one batch
(one message call for their confirmations, one for the monolith's commitments, one per kind of
message after the offers), so a busy minute costs the monolith a few calls, not a few per ticket.

A ticket that comes back still waiting (the monolith down, its customer unknown) is tried again
after a pause that doubles up to `max_pause`, so one stuck ticket never makes the worker spin. The
cap is the wide sweep's period (10 s, entrypoints/worker.py), which retries it then anyway.
"""
from __future__ import annotations

import time
from typing import Callable

from .orchestrator import Orchestrator
from .ports import TicketingStoreError, Tickets

# Tickets per batch: one batch of messages to the monolith (its limit is 100 per call).
BATCH = 100


def leave_to_worker(_follow_up: Callable[[], None]) -> None:
    """The `later` of a raise answered by a web process: nothing to run there, the ticket is stored as
    `new` and the worker's next poll takes it (with every other one raised meanwhile)."""


class FollowUps:
    def __init__(self, orchestrator: Orchestrator, tickets: Tickets, *, first_pause: float = 1.0,
                 max_pause: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.orchestrator, self.tickets, self.clock = orchestrator, tickets, clock
        self.first_pause, self.max_pause = first_pause, max_pause
        self._paused: dict[int, tuple[float, float]] = {}  # ticket id -> (not before, last pause)

    def step(self) -> int:
        """Follow up every waiting ticket that is due; returns how many were taken."""
        now = self.clock()
        waiting = self.tickets.waiting(limit=BATCH * 10)
        still = set(waiting)
        self._paused = {i: p for i, p in self._paused.items() if i in still}  # done ones are forgotten
        due = [i for i in waiting if self._paused.get(i, (0.0, 0.0))[0] <= now][:BATCH]
        try:
            tickets = self.tickets.many(due)  # one read for the whole batch
        except TicketingStoreError:
            tickets = []  # the graph hiccupped: they are still waiting, and paused like any other
        if tickets:
            self.orchestrator.follow_up_tickets(tickets)
        for ticket_id in due:  # if it is still waiting at the next poll, that one skips it for a while
            pause = min(self.max_pause, self._paused[ticket_id][1] * 2) if ticket_id in self._paused \
                else self.first_pause
            self._paused[ticket_id] = (now + pause, pause)
        return len(tickets)
