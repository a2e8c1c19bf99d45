"""Ticket assignment: offer the best free expert with the slot held; accept books it; refusal or
silence releases it and offers the next; nobody left -> the unassigned queue and a staff alert.

Each step is one atomic store operation, so a crash between steps leaves the ticket in a visible
state (`new`, `offered` with a durable expiry, or `unassigned`) from which the worker resumes.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from foundation.vocabulary import iso

from ..domain.matching import Option, plan_offers
from ..domain.ranking import preferred_slot, rank
from ..domain.slots import describe
from ..domain.states import AllocationState, DispatchOutcome
from ..domain.ticket import Ticket
from .notices import CustomerNotices, message
from .ports import (
    Clock,
    LegacyUnavailable,
    NotificationsUnavailable,
    Offers,
    SlotTaken,
    StaffAlerts,
    StaleTicket,
    Tickets,
    staff_alert,
)

log = logging.getLogger(__name__)
# How long after moving every open legacy commitment in, assignment may offer without the monolith.
COMMITMENTS_FRESH = dt.timedelta(minutes=10)
LEGACY_QUIET = dt.timedelta(seconds=30)
# A candidate list can go stale while we offer (another ticket took the slot): ask again, a few times.
MAX_ROUNDS = 5


@dataclass
class Outbox:
    """What a dispatch decided to tell people, sent together once the offers and the queue stand."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Dispatch:
    outcome: DispatchOutcome
    expert_id: int | None = None
    starts_at: str | None = None


class Assignment:
    def __init__(self, tickets: Tickets, offers: Offers, staff_alerts: StaffAlerts, clock: Clock,
                 offer_timeout: dt.timedelta, notices: CustomerNotices):
        self.tickets = tickets
        self.offers = offers
        self.staff_alerts = staff_alerts
        self.notices = notices
        self.clock = clock
        self.offer_timeout = offer_timeout
        self.legacy_quiet_until = dt.datetime.min  # until then the monolith is not asked (it did not answer)
        self.urgency_first = True  # False: first come, first served (benchmarks/urgency.py compares both)
        self.links: Any = None  # services.links.Links, set by the wiring when links can be signed

    def dispatch(self, ticket: Ticket) -> Dispatch:
        """Offer the ticket to the best free candidate, or put it in the unassigned queue."""
        return self.dispatch_many([ticket])[0]

    def dispatch_many(self, tickets: list[Ticket]) -> list[Dispatch]:
        """dispatch() for several tickets, one after another (each offer sees the slots the ones before
        it took), with one call to the monolith for their legacy commitments and one per kind of message
        (the experts' offers, the staff alerts) sent after the offers stand."""
        now = self.clock()
        outcomes = [Dispatch(DispatchOutcome.SKIPPED)] * len(tickets)
        waiting = [i for i, ticket in enumerate(tickets) if ticket.waits_for_an_expert]
        slots = sorted({iso(s) for i in waiting for s in tickets[i].future_slots(now)})
        if slots and not (now < self.legacy_quiet_until and self.commitments_fresh(now)):
            try:
                # Open legacy work at these slots holds its expert: it moves in with its bookings first.
                self.tickets.bind_legacy_commitments(slots=slots)
            except LegacyUnavailable:
                # Not asked again for a while: each ask of a monolith that does not answer costs its time-out.
                self.legacy_quiet_until = now + LEGACY_QUIET
                if not self.commitments_fresh(now):
                    log.warning("tickets %s not dispatched yet: legacy commitments unknown",
                                [tickets[i].id for i in waiting])
                    return outcomes  # they stay waiting; the worker dispatches them later
                # Every open legacy commitment was moved in a moment ago, and a monolith that does not
                # answer takes no new work: offer from the graph (ADR 0025).
                log.warning("legacy system not answering: tickets %s offered from the commitments moved in at %s",
                            [tickets[i].id for i in waiting], self.tickets.commitments_known_at())
        outbox = Outbox()
        if self.urgency_first and len(waiting) > 1:
            # Competing tickets: one plan for all (domain/matching.py), the most urgent on time first.
            waiting = self._offer_planned(tickets, waiting, now, outbox, outcomes)
        for i in waiting:
            outcomes[i] = self._offer_or_queue(tickets[i], now, outbox)
        self._send(outbox)
        return outcomes

    def commitments_fresh(self, now: dt.datetime) -> bool:
        known = self.tickets.commitments_known_at()
        return known is not None and now - known <= COMMITMENTS_FRESH

    def bind_all_commitments(self) -> int:
        """Move in every open legacy commitment (the worker, every minute; not while the monolith was
        just found not answering)."""
        now = self.clock()
        if now < self.legacy_quiet_until:
            return 0
        try:
            return self.tickets.bind_all_legacy_commitments(now)
        except LegacyUnavailable:
            self.legacy_quiet_until = now + LEGACY_QUIET
            raise

    def _offer_planned(self, tickets: list[Ticket], waiting: list[int], now: dt.datetime, outbox: "Outbox",
                       outcomes: list[Dispatch]) -> list[int]:
        """Offer each ticket what the plan gives it; returns those left to the one-by-one path (no place in
        the plan, or the planned place taken meanwhile by another dispatcher)."""
        ordered = sorted(waiting, key=lambda i: (tickets[i].urgency(), i))
        choices = []
        for i in ordered:
            ticket = tickets[i]
            future = ticket.future_slots(now)
            ranked = rank(self.offers.candidates(product_id=ticket.product_id, locale_id=ticket.locale_id,
                                                 slots=future, now=now, exclude=sorted(ticket.tried_experts())))
            due = dt.datetime.fromisoformat(ticket.visit_by) if ticket.visit_by else dt.datetime.max
            choices.append((i, [Option(c.expert_id, slot.isoformat(), slot <= due) for slot in future
                                for c in ranked if slot.isoformat() in c.free_slots]))
        plan = plan_offers(choices)
        left = []
        for i in ordered:
            option = plan.get(i)
            offered = self._offer_at(tickets[i], option, now, outbox) if option is not None else None
            if offered is None:
                left.append(i)
            else:
                outcomes[i] = offered
        return sorted(left)

    def _offer_at(self, ticket: Ticket, option: Option, now: dt.datetime, outbox: "Outbox") -> Dispatch | None:
        expires_at = now + self.offer_timeout
        try:
            self.offers.offer(ticket_id=ticket.id, expert_id=option.expert_id, starts_at=option.slot, now=now,
                              expires_at=expires_at)
        except SlotTaken:
            return None
        except StaleTicket:
            return Dispatch(DispatchOutcome.SKIPPED)
        ticket.offered(option.expert_id, option.slot, iso(now), iso(expires_at))
        outbox.messages.append(self._offer_message(ticket, option.expert_id, option.slot, expires_at))
        return Dispatch(DispatchOutcome.OFFERED, option.expert_id, option.slot)

    def _offer_or_queue(self, ticket: Ticket, now: dt.datetime, outbox: "Outbox") -> Dispatch:
        offered = self._offer(ticket, now, outbox)
        if offered is not None:
            return offered
        return self._unassigned(ticket.id, now, "no expert with the skill and locale is free at the chosen slots",
                                outbox)

    def _offer(self, ticket: Ticket, now: dt.datetime, outbox: "Outbox") -> Dispatch | None:
        """An offer at the ticket's most preferred slot still ahead that the best-ranked free expert holds."""
        future = ticket.future_slots(now)
        tried = ticket.tried_experts()
        for _ in range(MAX_ROUNDS if future else 0):
            ranked = rank(self.offers.candidates(product_id=ticket.product_id, locale_id=ticket.locale_id,
                                                 slots=future, now=now, exclude=sorted(tried)))
            if not ranked:
                break
            for candidate in ranked:
                starts_at = preferred_slot(candidate, future)
                if starts_at is None:
                    continue
                offered = self._offer_at(ticket, Option(candidate.expert_id, starts_at, True), now, outbox)
                if offered is not None:  # (None: taken by a competing ticket since the query: the next one)
                    return offered
        return None

    def _unassigned(self, ticket_id: int, now: dt.datetime, why: str, outbox: "Outbox") -> Dispatch:
        # Read again: the candidate search took time, and another dispatcher may have offered it since.
        ticket = self.tickets.get(ticket_id)
        if not ticket.waits_for_an_expert:
            return Dispatch(DispatchOutcome.SKIPPED)
        if ticket.unassign(why, now):
            self.tickets.save(ticket, now)
            outbox.alerts.append(staff_alert("ticket-unassigned", f"Ticket {ticket.reference} could not be "
                                             f"assigned: {why}.", ticket_reference=ticket.reference))
        return Dispatch(DispatchOutcome.UNASSIGNED)

    def _send(self, outbox: "Outbox") -> None:
        """The offers and the queue stand already: a message that cannot be queued now is logged (an
        offer's expiry re-offers a ticket whose expert never heard of it; the queue is visible)."""
        if outbox.messages:
            try:
                for sent, channel in zip(outbox.messages, self.notices.send_many(outbox.messages)):
                    if channel is None:
                        log.warning("message %s refused by the notifications service", sent["key"])
            except NotificationsUnavailable as exc:
                log.warning("messages %s not handed over: %s", [m["key"] for m in outbox.messages], exc)
        if outbox.alerts:
            try:
                self.staff_alerts.raise_alerts(outbox.alerts)
            except NotificationsUnavailable as exc:  # the tickets are in the visible queue either way
                log.warning("staff alerts for %s not raised: %s", [a["ticket_reference"] for a in outbox.alerts], exc)

    def accept(self, ticket_id: int, expert_id: int, actor: str) -> bool:
        ticket = self.tickets.get(ticket_id)
        offer = ticket.accept(expert_id)
        if offer is None:
            return False
        if not self.offers.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer.held_slot,
                                      outcome=AllocationState.ACCEPTED, actor=actor, now=self.clock()):
            return False
        self._notify_customer(ticket, offer.held_slot, expert_id)
        return True

    def refuse(self, ticket_id: int, expert_id: int, actor: str, reason: str) -> bool:
        return self._end_offer(ticket_id, expert_id, AllocationState.REFUSED, actor, reason)

    def time_out(self, ticket_id: int, expert_id: int) -> bool:
        return self._end_offer(ticket_id, expert_id, AllocationState.TIMED_OUT, "system:timer", "")

    def withdraw(self, ticket: Ticket, actor: str) -> None:
        """Cancel every open offer and free every booked slot of the ticket."""
        for offer in ticket.open_offers():
            self.offers.close_offer(ticket_id=ticket.id, expert_id=offer.expert_id, starts_at=offer.held_slot,
                                   outcome=AllocationState.WITHDRAWN, actor=actor, now=self.clock())
        for expert_id in {booked.expert_id for booked in ticket.booked_slots()}:
            self.offers.release_bookings(expert_id=expert_id, ticket_id=ticket.id)

    def _end_offer(self, ticket_id: int, expert_id: int, outcome: AllocationState, actor: str,
                   reason: str) -> bool:
        ticket = self.tickets.get(ticket_id)
        offer = ticket.end_offer(expert_id, outcome, reason)
        if offer is None:
            return False
        if not self.offers.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer.held_slot,
                                      outcome=outcome, actor=actor, now=self.clock(), reason=reason):
            return False  # accepted or closed by someone else first
        self.dispatch(ticket)
        return True

    def expire_due_offers(self, limit: int = 100) -> int:
        """The worker's step: every offer past its expiry times out and the ticket is re-offered."""
        expired = 0
        for due in self.offers.due_offers(self.clock(), limit):
            expired += self.time_out(due["ticket_id"], due["expert_id"])
        return expired

    def _offer_message(self, ticket: Ticket, expert_id: int, starts_at: str,
                       expires_at: dt.datetime) -> dict[str, Any]:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        minutes = int(self.offer_timeout.total_seconds() // 60) or 1
        links = self.links.for_expert(ticket, expert_id, starts_at, expires_at) if self.links else {}
        answer = "".join(f"\n{label}: {links[act]}" for act, label in (("accept", "Accept"), ("refuse", "Refuse"))
                         if act in links)
        return message(
            "expert", expert_id, key=f"offer:{ticket.id}:{expert_id}:{starts_at}", category="offer",
            subject=f"New ticket offer {ticket.reference}",
            body=f"Ticket {ticket.reference} is offered to you for {slot}. Accept or refuse it in the experts app "
                 f"within {minutes} min.{answer}")

    def _notify_customer(self, ticket: Ticket, starts_at: str, expert_id: int) -> None:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        key = f"booked:{ticket.id}:{expert_id}:{starts_at}"
        try:  # the booking stands; staff see it on the ticket if the message is late
            self.notices.send(ticket.customer_id, key=key, subject=f"Your appointment for {ticket.reference}",
                              body=f"An expert will come on {slot} for ticket {ticket.reference}.")
        except NotificationsUnavailable as exc:
            log.warning("message %s not handed over: %s", key, exc)
