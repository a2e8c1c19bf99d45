"""The orchestrator: runs management and assignment in the order that never loses a ticket.

Raise = store durably (the only step that must succeed before "received"), then confirm to the
customer, then dispatch. If the process dies or the bridge is down after the store, the ticket is
already visible as `new`; the worker's follow-up sweep finishes the confirmation and the dispatch.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bridge_client import BridgeError
from graph_store.errors import StoreError

from ..domain.slots import describe
from ..domain.states import State, TransitionRefused, next_state
from .assignment import Assignment, Dispatch
from .management import InvalidTicket, RaiseRequest, TicketManagement

log = logging.getLogger(__name__)
# A ticket still `new` or unconfirmed this long after it was raised is finished by the worker.
FOLLOW_UP_AFTER = dt.timedelta(seconds=30)
# Where customers answer the survey (the shell's same-origin path to this fragment).
SURVEY_PATH = "/fragments/ticketing/surveys/{ticket_id}"


class Orchestrator:
    def __init__(self, management: TicketManagement, assignment: Assignment):
        self.management = management
        self.assignment = assignment
        self.store = management.store
        self.bridge = management.bridge
        self.clock = management.clock

    def raise_ticket(self, request: RaiseRequest) -> dict[str, Any]:
        ticket_id = self.management.raise_ticket(request)  # durable from here on
        self._after_raise(ticket_id)
        return self.store.get(ticket_id)

    def _after_raise(self, ticket_id: int) -> None:
        try:
            ticket = self.store.get(ticket_id)
            if not ticket.get("confirmed_at"):
                self.confirm(ticket)
            if ticket["status"] == State.NEW:
                self.assignment.dispatch(ticket_id)
        except (BridgeError, StoreError) as exc:
            log.warning("ticket %s stored; follow-up left to the worker: %s", ticket_id, exc)

    def confirm(self, ticket: dict[str, Any]) -> None:
        customer = self.bridge.get_customer(ticket["customer_id"])
        channel = "sms" if customer["notification_preference"] == "sms" else "email"
        slots = ", ".join(describe(dt.datetime.fromisoformat(s)) for s in ticket["slots"])
        self.bridge.notify(idempotency_key=f"received:{ticket['id']}", channel=channel, recipient_kind="customer",
                           recipient_id=ticket["customer_id"], subject=f"We received ticket {ticket['reference']}",
                           body=f"Ticket {ticket['reference']} is received. Your preferred slots: {slots}. "
                                "We will tell you which expert comes and when.")
        self.management.mark_confirmed(ticket["id"], channel)

    def follow_up(self, limit: int = 100) -> int:
        """The worker's sweep: confirm and dispatch tickets a crash or an outage left half way."""
        done = 0
        for ticket_id in self.store.needing_follow_up(self.clock() - FOLLOW_UP_AFTER, limit):
            self._after_raise(ticket_id)
            done += 1
        return done

    def cancel(self, ticket_id: int, actor: str, reason: str) -> None:
        ticket = self.store.get(ticket_id)
        next_state("cancel", ticket["status"])
        self.assignment.withdraw(ticket_id, actor)
        detail = f"Cancelled: {reason}" if reason else "Cancelled"
        self.store.update(ticket_id, changes={"status": str(State.CANCELLED)}, actor=actor, action="cancelled",
                          detail=detail, now=self.clock())

    def close(self, ticket_id: int, expert_id: int, actor: str, resolution: str) -> None:
        """The expert closes with a resolution: the slot is freed and the customer gets the survey."""
        ticket = self.store.get(ticket_id)
        target = next_state("close", ticket["status"])
        if not any(a["expert_id"] == expert_id and a["state"] == "accepted" for a in ticket.get("allocations", [])):
            raise TransitionRefused("close", "not assigned to you")
        text = (resolution or "").replace("\x00", "").strip()
        if not 5 <= len(text) <= 4000:
            raise InvalidTicket({"resolution": "say what was done, in 5 to 4000 characters"})
        now = self.clock()
        self.store.update(ticket_id, changes={"status": str(target), "resolution": text,
                                              "closed_at": now.replace(microsecond=0).isoformat(),
                                              "closed_by_expert_id": expert_id},
                          actor=actor, action="closed", detail=f"Closed: {text}", now=now)
        for booked in [a for a in ticket["allocations"] if a["state"] == "accepted" and a.get("slot")]:
            self.store.release_booking(expert_id=booked["expert_id"], starts_at=booked["slot"], ticket_id=ticket_id)
        try:
            self.send_survey(self.store.get(ticket_id))
        except BridgeError as exc:
            log.warning("survey for ticket %s not sent yet: %s", ticket_id, exc)

    def send_survey(self, ticket: dict[str, Any]) -> None:
        customer = self.bridge.get_customer(ticket["customer_id"])
        channel = "sms" if customer["notification_preference"] == "sms" else "email"
        self.bridge.notify(idempotency_key=f"survey:{ticket['id']}", channel=channel, recipient_kind="customer",
                           recipient_id=ticket["customer_id"], subject=f"How did we do on {ticket['reference']}?",
                           body=f"Ticket {ticket['reference']} is closed. Tell us how it went: "
                                f"{SURVEY_PATH.format(ticket_id=ticket['id'])}")

    def reopen(self, ticket_id: int, actor: str, reason: str) -> Dispatch:
        """Staff reopen a closed ticket (the fix did not hold): it goes back to assignment."""
        ticket = self.store.get(ticket_id)
        target = next_state("reopen", ticket["status"])
        self.store.update(ticket_id, changes={"status": str(target), "reopened_count": (ticket.get("reopened_count")
                                                                                         or 0) + 1,
                                              "alerted_at": None},
                          actor=actor, action="reopened", detail=f"Reopened: {reason}" if reason else "Reopened",
                          now=self.clock())
        return self.assignment.dispatch(ticket_id)

    def retry_assignment(self, ticket_id: int, actor: str) -> Dispatch:
        ticket = self.store.get(ticket_id)
        next_state("offer", ticket["status"])
        self.store.update(ticket_id, changes={"alerted_at": None}, actor=actor, action="retry",
                          detail="Assignment retried by staff", now=self.clock())
        return self.assignment.dispatch(ticket_id)
