"""Ticket assignment: offer the best free expert with the slot held; accept books it; refusal or
silence releases it and offers the next; nobody left -> the unassigned queue and a staff alert.

Each step is one atomic store operation, so a crash between steps leaves the ticket in a visible
state (`new`, `offered` with a durable expiry, or `unassigned`) from which the worker resumes.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from bridge_client import BridgeError
from graph_store.errors import SlotTaken, StaleTicket

from ..domain.ranking import Candidate, preferred_slot, rank
from ..domain.slots import describe
from ..domain.states import DISPATCHABLE, State, next_state
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
    def __init__(self, store: TicketStore, bridge: BridgeClient, clock: Clock, offer_timeout: dt.timedelta):
        self.store = store
        self.bridge = bridge
        self.clock = clock
        self.offer_timeout = offer_timeout

    def dispatch(self, ticket_id: int) -> Dispatch:
        """Offer the ticket to the best free candidate, or put it in the unassigned queue."""
        ticket = self.store.get(ticket_id)
        if ticket["status"] not in DISPATCHABLE:
            return Dispatch("skipped")
        slots = [dt.datetime.fromisoformat(s) for s in ticket["slots"]]
        tried = {a["expert_id"] for a in ticket.get("allocations", []) if a.get("source", "new") == "new"}
        now = self.clock()
        future = [s for s in slots if s > now]
        for _ in range(MAX_ROUNDS if future else 0):
            found = self.store.candidates(product_id=ticket["product_id"], locale_id=ticket["locale_id"],
                                          slots=future, now=now, exclude=sorted(tried))
            ranked = rank([Candidate(c["expert_id"], tuple(c["free_slots"]), c["load"], c["score"],
                                     c["last_offered_at"]) for c in found])
            if not ranked:
                break
            for candidate in ranked:
                starts_at = preferred_slot(candidate, future)
                if starts_at is None:
                    continue
                try:
                    self.store.offer(ticket_id=ticket_id, expert_id=candidate.expert_id, starts_at=starts_at,
                                     now=now, expires_at=now + self.offer_timeout)
                except SlotTaken:
                    continue  # taken by a competing ticket since the query: try the next one
                except StaleTicket:
                    return Dispatch("skipped")  # someone else dispatched or cancelled it meanwhile
                self._notify_expert(ticket, candidate.expert_id, starts_at)
                return Dispatch("offered", candidate.expert_id, starts_at)
        return self._unassigned(ticket, now, "no expert with the skill and locale is free at the chosen slots")

    def _unassigned(self, ticket: dict[str, Any], now: dt.datetime, why: str) -> Dispatch:
        current = self.store.get(ticket["id"])
        if current["status"] not in DISPATCHABLE:
            return Dispatch("skipped")
        target = next_state("no_candidate", current["status"])
        if current["status"] != State.UNASSIGNED or not current.get("alerted_at"):
            self.store.update(ticket["id"], changes={"status": str(target), "alerted_at": now.isoformat()},
                              actor="system:assignment", action="unassigned", detail=f"Unassigned: {why}", now=now)
            try:
                self.bridge.raise_staff_alert("ticket-unassigned", f"Ticket {ticket['reference']} could not be "
                                              f"assigned: {why}.", ticket_reference=ticket["reference"])
            except BridgeError as exc:  # the ticket is in the visible queue either way
                log.warning("staff alert for %s not raised: %s", ticket["reference"], exc)
        return Dispatch("unassigned")

    def _open_offer(self, ticket: dict[str, Any], expert_id: int) -> dict[str, Any] | None:
        return next((a for a in ticket.get("allocations", [])
                     if a["expert_id"] == expert_id and a["state"] == "offered"), None)

    def accept(self, ticket_id: int, expert_id: int, actor: str) -> bool:
        ticket = self.store.get(ticket_id)
        offer = self._open_offer(ticket, expert_id)
        if offer is None:
            return False
        next_state("accept", ticket["status"])
        if not self.store.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer["slot"],
                                      outcome="accepted", actor=actor, now=self.clock()):
            return False
        self._notify_customer(ticket, offer["slot"], expert_id)
        return True

    def refuse(self, ticket_id: int, expert_id: int, actor: str, reason: str) -> bool:
        return self._end_offer(ticket_id, expert_id, "refused", actor, reason)

    def time_out(self, ticket_id: int, expert_id: int) -> bool:
        return self._end_offer(ticket_id, expert_id, "timed_out", "system:timer", "")

    def withdraw(self, ticket_id: int, actor: str) -> None:
        ticket = self.store.get(ticket_id)
        for offer in [a for a in ticket.get("allocations", []) if a["state"] == "offered"]:
            self.store.close_offer(ticket_id=ticket_id, expert_id=offer["expert_id"], starts_at=offer["slot"],
                                   outcome="withdrawn", actor=actor, now=self.clock())
        for booked in [a for a in ticket.get("allocations", []) if a["state"] == "accepted" and a.get("slot")]:
            self.store.release_booking(expert_id=booked["expert_id"], starts_at=booked["slot"], ticket_id=ticket_id)

    def _end_offer(self, ticket_id: int, expert_id: int, outcome: str, actor: str, reason: str) -> bool:
        ticket = self.store.get(ticket_id)
        offer = self._open_offer(ticket, expert_id)
        if offer is None:
            return False
        if not self.store.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=offer["slot"],
                                      outcome=outcome, actor=actor, now=self.clock(), reason=reason):
            return False  # accepted or closed by someone else first
        self.dispatch(ticket_id)
        return True

    def expire_due_offers(self, limit: int = 100) -> int:
        """The worker's step: every offer past its expiry times out and the ticket is re-offered."""
        expired = 0
        for due in self.store.due_offers(self.clock(), limit):
            expired += self.time_out(due["ticket_id"], due["expert_id"])
        return expired

    def _notify_expert(self, ticket: dict[str, Any], expert_id: int, starts_at: str) -> None:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        self._notify(f"offer:{ticket['id']}:{expert_id}:{starts_at}", "sms", "expert", expert_id,
                     f"New ticket offer {ticket['reference']}",
                     f"Ticket {ticket['reference']} is offered to you for {slot}. Accept or refuse it in the "
                     f"experts app within {int(self.offer_timeout.total_seconds() // 60) or 1} min.")

    def _notify_customer(self, ticket: dict[str, Any], starts_at: str, expert_id: int) -> None:
        slot = describe(dt.datetime.fromisoformat(starts_at))
        channel = self._customer_channel(ticket["customer_id"])
        self._notify(f"booked:{ticket['id']}:{expert_id}:{starts_at}", channel, "customer", ticket["customer_id"],
                     f"Your appointment for {ticket['reference']}",
                     f"An expert will come on {slot} for ticket {ticket['reference']}.")

    def _customer_channel(self, customer_id: int) -> str:
        try:
            return "sms" if self.bridge.get_customer(customer_id)["notification_preference"] == "sms" else "email"
        except BridgeError:
            return "email"

    def _notify(self, key: str, channel: str, kind: str, recipient: int, subject: str, body: str) -> None:
        try:
            self.bridge.notify(idempotency_key=key, channel=channel, recipient_kind=kind, recipient_id=recipient,
                               subject=subject, body=body)
        except BridgeError as exc:  # the offer stands; its expiry re-offers if the expert never hears of it
            log.warning("notification %s not queued: %s", key, exc)
