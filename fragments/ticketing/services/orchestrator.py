"""The orchestrator: runs management and assignment in the order that never loses a ticket.

Raise = store durably (the only step that must succeed before "received"), then confirm to the
customer, then dispatch. The web form's raise is answered once stored; the ticket waits as `new`,
visible, and the worker confirms and dispatches it with the others raised meanwhile (one batch of
calls to the monolith). If anything fails after the store, the ticket stays visible as it is and the
next sweep finishes it.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from bridge_client import BridgeError

from ..domain.slots import SlotError, describe, validate_slots
from ..domain.states import State
from ..domain.ticket import Ticket, arrival
from .assignment import Assignment, Dispatch
from .management import InvalidTicket, RaiseRequest, TicketManagement, TicketRef
from .notices import customer_message
from .ports import NotificationsUnavailable, StaleTicket, TicketingStoreError

log = logging.getLogger(__name__)
# The wide sweep takes tickets still `new` or unconfirmed this long after they were raised (the
# worker's poll of `new` tickets, services/follow_ups.py, normally takes them within a second).
FOLLOW_UP_AFTER = dt.timedelta(seconds=10)
# Where customers answer the survey (the shell's same-origin path to this fragment).
SURVEY_PATH = "/fragments/ticketing/surveys/{ticket_id}"


class Orchestrator:
    def __init__(self, management: TicketManagement, assignment: Assignment, public_url: str):
        self.public_url = public_url.rstrip("/")  # links in messages are absolute: they are opened elsewhere
        self.management = management
        self.assignment = assignment
        self.tickets = management.tickets
        self.offers = assignment.offers
        self.notices = assignment.notices
        self.clock = management.clock

    def raise_ticket(self, request: RaiseRequest, later: Callable[[Callable[[], None]], None] | None = None) -> Ticket:
        """Store the ticket durably, then confirm and dispatch it. With `later` the ticket is returned as
        stored and `later` is handed the follow-up (LEAVE_TO_WORKER: the worker's sweep, which takes
        every waiting ticket within a fraction of a second, batched with the others)."""
        ticket = self.management.store_ticket(request)  # durable from here on
        if later is not None:
            later(lambda: self.follow_up_tickets([ticket]))
            return ticket
        self.follow_up_tickets([ticket])
        try:
            return self.tickets.get(ticket.id)
        except TicketingStoreError as exc:  # stored all the same: answer with what we know, never an error
            log.warning("ticket %s stored; could not re-read it: %s", ticket.id, exc)
            return ticket

    def follow_up_tickets(self, tickets: list[Ticket]) -> None:
        """Confirm the unconfirmed ones (one batch of messages), then dispatch the confirmed ones still
        waiting (one batch). A ticket whose step fails stays as it is, visible, for the next sweep."""
        try:
            self._confirm_many([t for t in tickets if not t.confirmed_at])
            self.assignment.dispatch_many([t for t in tickets if t.confirmed_at and t.status == State.NEW])
        except (BridgeError, NotificationsUnavailable, TicketingStoreError) as exc:
            log.warning("tickets %s stored; follow-up left to the next sweep: %s", [t.id for t in tickets], exc)

    def _confirm_many(self, tickets: list[Ticket]) -> None:
        """Each ticket confirmed here has `confirmed_at` set. One the monolith refused stays unconfirmed;
        one another sweep recorded first is left to that sweep (unset here)."""
        messages = [customer_message(
            t.customer_id, key=f"received:{t.id}", subject=f"We received ticket {t.reference}",
            body=f"Ticket {t.reference} is received. Your preferred slots: "
                 f"{', '.join(describe(s) for s in t.slot_times())}. We will tell you which expert comes and when.")
            for t in tickets]
        for ticket, channel in zip(tickets, self.notices.send_many(messages)):
            if channel is None:
                log.warning("confirmation of ticket %s refused by the notifications service", ticket.id)
                continue
            ticket.confirm(channel, self.clock())
            try:
                self.tickets.save(ticket, self.clock())
            except StaleTicket:
                ticket.confirmed_at, ticket.pending = None, []

    def follow_up(self, limit: int = 100) -> int:
        """The worker's wide sweep: confirm and dispatch tickets raised at least FOLLOW_UP_AFTER ago that
        are still unconfirmed (whatever their state) or never dispatched."""
        ids = self.tickets.needing_follow_up(self.clock() - FOLLOW_UP_AFTER, limit)
        if not ids:
            return 0
        try:
            tickets = self.tickets.many(ids)  # one read for the whole sweep
        except TicketingStoreError as exc:
            log.warning("follow-up of tickets %s deferred: %s", ids, exc)
            return 0
        self.follow_up_tickets(tickets)
        return len(tickets)

    def cancel(self, ticket: TicketRef, actor: str, reason: str) -> Ticket:
        ticket = self.management.ticket(ticket)
        ticket.require("cancel")
        self.assignment.withdraw(ticket, actor)
        ticket.cancel(actor, reason)
        return self.tickets.save(ticket, self.clock())

    def close(self, ticket: TicketRef, expert_id: int, actor: str, resolution: str) -> Ticket:
        """The expert closes with a resolution: the slot is freed and the customer gets the survey."""
        ticket = self.management.ticket(ticket)
        text = (resolution or "").replace("\x00", "").strip()
        ticket.may_close(expert_id)
        if not 5 <= len(text) <= 4000:
            raise InvalidTicket({"resolution": "say what was done, in 5 to 4000 characters"})
        booked = ticket.booked_slots()
        ticket.close(expert_id, actor, text, self.clock())
        self.tickets.save(ticket, self.clock())
        for expert_id in {booking.expert_id for booking in booked}:
            self.offers.release_bookings(expert_id=expert_id, ticket_id=ticket.id)
        try:
            self.send_survey(ticket)
        except NotificationsUnavailable as exc:
            log.warning("survey for ticket %s not sent yet: %s", ticket.id, exc)
        return ticket

    def send_survey(self, ticket: Ticket) -> None:
        self.notices.send(ticket.customer_id, key=f"survey:{ticket.id}", category="survey",
                          subject=f"How did we do on {ticket.reference}?",
                          body=f"Ticket {ticket.reference} is closed. Tell us how it went: "
                               f"{self.public_url}{SURVEY_PATH.format(ticket_id=ticket.id)}")

    def on_my_way(self, ticket: TicketRef, expert_id: int, actor: str) -> Ticket:
        """The expert sets off: recorded on the ticket, and the customer told who comes and when (one
        message per visit: a second tap records again and tells nobody twice)."""
        ticket = self.management.ticket(ticket)
        now = self.clock()
        earliest, latest = ticket.on_my_way(expert_id, actor, now)
        saved = self.tickets.save(ticket, now)
        name = self.assignment.offers.expert_names([expert_id]).get(expert_id, "")
        first = name.split(" ")[0] if name.strip() else "Your expert"
        booking = saved.booking(expert_id)
        try:
            self.notices.send(ticket.customer_id, key=f"on-my-way:{ticket.id}:{booking.slot if booking else ''}",
                              category="on_my_way", subject=f"{first} is on the way ({ticket.reference})",
                              body=f"{first} from Sysops Squad is on the way for ticket {ticket.reference} and "
                                   f"expects to arrive {arrival(earliest, latest, now)}.")
        except NotificationsUnavailable as exc:
            log.warning("on-my-way message for ticket %s not handed over: %s", ticket.id, exc)
        return saved

    def confirm_visit(self, ticket: TicketRef, actor: str) -> Ticket:
        ticket = self.management.ticket(ticket)
        ticket.confirm_visit(actor, self.clock())
        return self.tickets.save(ticket, self.clock())

    def reschedule(self, ticket: TicketRef, slots: list[str], actor: str, why: str) -> Dispatch:
        """Other slots (or the same ones, for a visit at risk): any offer is withdrawn and any booking
        freed, then assignment runs again and the new offer goes out. InvalidTicket for bad slots."""
        ticket = self.management.ticket(ticket)
        ticket.require("reschedule")
        try:
            chosen = validate_slots(slots, self.clock())
        except SlotError as exc:
            raise InvalidTicket({"slots": str(exc)}) from exc
        self.offers.end_bookings(ticket_id=ticket.id, actor=actor, now=self.clock(), reason=why)
        self.assignment.withdraw(ticket, actor)
        ticket.reschedule(actor, chosen, why)
        self.tickets.save(ticket, self.clock())
        return self.assignment.dispatch(self.tickets.get(ticket.id))

    def reopen(self, ticket: TicketRef, actor: str, reason: str) -> Dispatch:
        """Staff reopen a closed ticket (the fix did not hold): it goes back to assignment."""
        ticket = self.management.ticket(ticket)
        ticket.reopen(actor, reason)
        self.tickets.save(ticket, self.clock())
        return self.assignment.dispatch(ticket)

    def retry_assignment(self, ticket: TicketRef, actor: str) -> Dispatch:
        ticket = self.management.ticket(ticket)
        ticket.retry_assignment(actor)
        self.tickets.save(ticket, self.clock())
        return self.assignment.dispatch(ticket)
