"""The orchestrator: runs management and assignment in the order that never loses a ticket.

Raise = store durably (the only step that must succeed before "received"), then confirm to the
customer, then dispatch. If the process dies or the bridge is down after the store, the ticket is
already visible as `new`; the worker's follow-up sweep finishes the confirmation and the dispatch.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from bridge_client import BridgeError
from graph_store.errors import StoreError

from ..domain.slots import describe
from ..domain.states import State
from ..domain.ticket import Ticket
from .assignment import Assignment, Dispatch
from .management import InvalidTicket, RaiseRequest, TicketManagement

log = logging.getLogger(__name__)
# A ticket still `new` or unconfirmed this long after it was raised is finished by the worker (the
# raising request's own follow-up, run just after its answer, normally takes well under a second).
FOLLOW_UP_AFTER = dt.timedelta(seconds=10)
# Where customers answer the survey (the shell's same-origin path to this fragment).
SURVEY_PATH = "/fragments/ticketing/surveys/{ticket_id}"


class Orchestrator:
    def __init__(self, management: TicketManagement, assignment: Assignment, public_url: str):
        self.public_url = public_url.rstrip("/")  # links in messages are absolute: they are opened elsewhere
        self.management = management
        self.assignment = assignment
        self.store = management.store
        self.notices = assignment.notices
        self.clock = management.clock

    def raise_ticket(self, request: RaiseRequest, later: Callable[[Callable[[], None]], None] | None = None) -> Ticket:
        """Store the ticket durably, then confirm and dispatch it. With `later` (the web form: run after
        the answer is sent) the ticket is returned as stored, and confirmation and dispatch follow
        through `later`; the worker's follow-up sweep finishes them if that never runs."""
        ticket, customer = self.management.store_ticket(request)  # durable from here on
        if later is not None:
            later(lambda: self._after_raise(ticket, customer))
            return ticket
        self._after_raise(ticket, customer)
        try:
            return self.store.get(ticket.id)
        except StoreError as exc:  # stored all the same: answer with what we know, never an error
            log.warning("ticket %s stored; could not re-read it: %s", ticket.id, exc)
            return ticket

    def _after_raise(self, ticket: Ticket, customer: dict[str, Any] | None = None) -> None:
        try:
            if not ticket.confirmed_at:
                self.confirm(ticket, customer)
            if ticket.status == State.NEW:
                self.assignment.dispatch(ticket)
        except (BridgeError, StoreError) as exc:
            log.warning("ticket %s stored; follow-up left to the worker: %s", ticket.id, exc)

    def confirm(self, ticket: Ticket, customer: dict[str, Any] | None = None) -> None:
        slots = ", ".join(describe(s) for s in ticket.slot_times())
        channel = self.notices.send(
            ticket.customer_id, customer=customer, key=f"received:{ticket.id}",
            subject=f"We received ticket {ticket.reference}",
            body=f"Ticket {ticket.reference} is received. Your preferred slots: {slots}. "
                 "We will tell you which expert comes and when.")
        ticket.confirm(channel, self.clock())
        self.store.save(ticket, self.clock())

    def follow_up(self, limit: int = 100) -> int:
        """The worker's sweep: confirm and dispatch tickets a crash or an outage left half way."""
        done = 0
        for ticket_id in self.store.needing_follow_up(self.clock() - FOLLOW_UP_AFTER, limit):
            try:
                ticket = self.store.get(ticket_id)
            except StoreError as exc:
                log.warning("follow-up of ticket %s deferred: %s", ticket_id, exc)
                continue
            self._after_raise(ticket)
            done += 1
        return done

    def cancel(self, ticket_id: int, actor: str, reason: str) -> None:
        ticket = self.store.get(ticket_id)
        ticket.require("cancel")
        self.assignment.withdraw(ticket, actor)
        ticket.cancel(actor, reason)
        self.store.save(ticket, self.clock())

    def close(self, ticket_id: int, expert_id: int, actor: str, resolution: str) -> None:
        """The expert closes with a resolution: the slot is freed and the customer gets the survey."""
        ticket = self.store.get(ticket_id)
        text = (resolution or "").replace("\x00", "").strip()
        ticket.may_close(expert_id)
        if not 5 <= len(text) <= 4000:
            raise InvalidTicket({"resolution": "say what was done, in 5 to 4000 characters"})
        booked = ticket.booked_slots()
        ticket.close(expert_id, actor, text, self.clock())
        self.store.save(ticket, self.clock())
        for expert_id in {booking.expert_id for booking in booked}:
            self.store.release_bookings(expert_id=expert_id, ticket_id=ticket.id)
        try:
            self.send_survey(ticket)
        except BridgeError as exc:
            log.warning("survey for ticket %s not sent yet: %s", ticket.id, exc)

    def send_survey(self, ticket: Ticket) -> None:
        self.notices.send(ticket.customer_id, key=f"survey:{ticket.id}",
                          subject=f"How did we do on {ticket.reference}?",
                          body=f"Ticket {ticket.reference} is closed. Tell us how it went: "
                               f"{self.public_url}{SURVEY_PATH.format(ticket_id=ticket.id)}")

    def reopen(self, ticket_id: int, actor: str, reason: str) -> Dispatch:
        """Staff reopen a closed ticket (the fix did not hold): it goes back to assignment."""
        ticket = self.store.get(ticket_id)
        ticket.reopen(actor, reason)
        self.store.save(ticket, self.clock())
        return self.assignment.dispatch(ticket)

    def retry_assignment(self, ticket_id: int, actor: str) -> Dispatch:
        ticket = self.store.get(ticket_id)
        ticket.retry_assignment(actor)
        self.store.save(ticket, self.clock())
        return self.assignment.dispatch(ticket)
