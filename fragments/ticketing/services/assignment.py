"""Ticket assignment: offer the best free expert with the slot held; accept books it; refusal or
silence releases it and offers the next; nobody left -> the unassigned queue and a staff alert.

Each step is one atomic store operation, so a crash between steps leaves the ticket in a visible
state (`new`, `offered` with a durable expiry, or `unassigned`) from which the worker resumes.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from bridge_client import BridgeError
from foundation.vocabulary import iso
from graph_store.errors import MigrationUnavailable, SlotTaken, StaleTicket

from ..domain.ranking import Candidate, preferred_slot, rank
from ..domain.slots import describe
from ..domain.ticket import Ticket
from .notices import CustomerNotices
from .ports import BridgeClient, Clock, TicketStore

log = logging.getLogger(__name__)
# A candidate list can go stale while we offer (another ticket took the slot): ask again, a few times.
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Dispatch:
    outcome: str  # "offered" | "unassigned" | "skipped"
    expert_id: int | None = None
    starts_at: str | None = None


class Assignment:
    def __init__(self, store: TicketStore, bridge: BridgeClient, clock: Clock, offer_timeout: dt.timedelta,
                 notices: CustomerNotices):
        self.store = store
        self.bridge = bridge
        self.notices = notices
        self.clock = clock
        self.offer_timeout = offer_timeout

    def dispatch(self, ticket: Ticket) -> Dispatch:
        """Offer the ticket to the best free candidate, or put it in the unassigned queue."""
        if not ticket.waits_for_an_expert:
            return Dispatch("skipped")
        now = self.clock()
        future = ticket.future_slots(now)
        tried = ticket.tried_experts()
        try:
            # Open legacy work at these slots holds its expert: it moves in with its bookings first.
            self.store.bind_legacy_commitments(slots=[iso(s) for s in future])
        except MigrationUnavailable:
            log.warning("ticket %s not dispatched yet: legacy commitments unknown", ticket.id)
            return Dispatch("skipped")  # stays waiting; the worker's follow-up sweep dispatches it later
        for _ in range(MAX_ROUNDS if future else 0):
            found = self.store.candidates(product_id=ticket.product_id, locale_id=ticket.locale_id,
                                          slots=future, now=now, exclude=sorted(tried))
            ranked = rank([Candidate(c["expert_id"], tuple(c["free_slots"]), c["load"], c["score"],
                                     c["last_offered_at"]) for c in found])
            if not ranked:
                break
            for candidate in ranked:
                starts_at = preferred_slot(candidate, future)
                if starts_at is None:
                    continue
                expires_at = now + self.offer_timeout
                try:
                    self.store.offer(ticket_id=ticket.id, expert_id=candidate.expert_id, starts_at=starts_at,
                                     now=now, expires_at=expires_at)
                except SlotTaken:
                    continue  # taken by a competing ticket since the query: try the next one
                except StaleTicket:
                    return Dispatch("skipped")  # someone else dispatched or cancelled it meanwhile
                ticket.offered(candidate.expert_id, starts_at, iso(now), iso(expires_at))
                self._notify_expert(ticket, candidate.expert_id, starts_at)
                return Dispatch("offered", candidate.expert_id, starts_at)
        return self._unassigned(ticket.id, now, "no expert with the skill and locale is free at the chosen slots")

    def _unassigned(self, ticket_id: int, now: dt.datetime, why: str) -> Dispatch:
        # Read again: the candidate search took time, and another dispatcher may have offered it since.
        ticket = self.store.get(ticket_id)
        if not ticket.waits_for_an_expert:
            return Dispatch("skipped")
        if ticket.unassign(why, now):
            self.store.save(ticket, now)
            try:
                self.bridge.raise_staff_alert("ticket-unassigned", f"Ticket {ticket.reference} could not be "
                                              f"assigned: {why}.", ticket_reference=ticket.reference)
            except BridgeError as exc:  # the ticket is in the visible queue either way
                log.warning("staff alert for %s not raised: %s", ticket.reference, exc)
        return Dispatch("unassigned")

    def accept(self, ticket_id: int, expert_id: int, actor: str) -> bool:
        ticket = self.store.get(ticket_id)
        offer = ticket.accept(expert_id)
        if offer is None:
            return False
        if not self.store.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer.slot,
                                      outcome="accepted", actor=actor, now=self.clock()):
            return False
        self._notify_customer(ticket, offer.slot, expert_id)
        return True

    def refuse(self, ticket_id: int, expert_id: int, actor: str, reason: str) -> bool:
        return self._end_offer(ticket_id, expert_id, "refused", actor, reason)

    def time_out(self, ticket_id: int, expert_id: int) -> bool:
        return self._end_offer(ticket_id, expert_id, "timed_out", "system:timer", "")

    def withdraw(self, ticket: Ticket, actor: str) -> None:
        """Cancel every open offer and free every booked slot of the ticket."""
        for offer in ticket.open_offers():
            self.store.close_offer(ticket_id=ticket.id, expert_id=offer.expert_id, starts_at=offer.slot,
                                   outcome="withdrawn", actor=actor, now=self.clock())
        for expert_id in {booked.expert_id for booked in ticket.booked_slots()}:
            self.store.release_bookings(expert_id=expert_id, ticket_id=ticket.id)

    def _end_offer(self, ticket_id: int, expert_id: int, outcome: str, actor: str, reason: str) -> bool:
        ticket = self.store.get(ticket_id)
        offer = ticket.end_offer(expert_id, outcome, reason)
        if offer is None:
            return False
        if not self.store.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer.slot,
                                      outcome=outcome, actor=actor, now=self.clock(), reason=reason):
            return False  # accepted or closed by someone else first
        self.dispatch(ticket)
        return True

    def expire_due_offers(self, limit: int = 100) -> int:
        """The worker's step: every offer past its expiry times out and the ticket is re-offered."""
        expired = 0
        for due in self.store.due_offers(self.clock(), limit):
            expired += self.time_out(due["ticket_id"], due["expert_id"])
        return expired

    def _notify_expert(self, ticket: Ticket, expert_id: int, starts_at: str) -> None:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        key = f"offer:{ticket.id}:{expert_id}:{starts_at}"
        try:  # the offer stands; its expiry re-offers if the expert never hears of it
            self.bridge.notify(idempotency_key=key, channel="sms", recipient_kind="expert", recipient_id=expert_id,
                               subject=f"New ticket offer {ticket.reference}",
                               body=f"Ticket {ticket.reference} is offered to you for {slot}. Accept or refuse it "
                                    f"in the experts app within {int(self.offer_timeout.total_seconds() // 60) or 1} "
                                    "min.")
        except BridgeError as exc:
            log.warning("notification %s not queued: %s", key, exc)

    def _notify_customer(self, ticket: Ticket, starts_at: str, expert_id: int) -> None:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        key = f"booked:{ticket.id}:{expert_id}:{starts_at}"
        try:  # the booking stands; staff see it on the ticket if the message is late
            self.notices.send(ticket.customer_id, key=key, subject=f"Your appointment for {ticket.reference}",
                              body=f"An expert will come on {slot} for ticket {ticket.reference}.")
        except BridgeError as exc:
            log.warning("notification %s not queued: %s", key, exc)
