"""Links in messages that act on a ticket without a login: a customer confirms a visit, asks for another
slot or cancels; an expert accepts or refuses an offer. Each link is signed (foundation/links.py),
names the ticket, the person and the visit's slot, expires (at the visit, or the offer's deadline), and
works once: its id is claimed in the store before it acts. A tampered, expired, used or someone
else's link gets a clear page and changes nothing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from foundation.links import LinkError

from ..domain.slots import upcoming_choices
from ..domain.states import State, TransitionRefused
from ..domain.ticket import Ticket
from .management import InvalidTicket
from .ports import Clock, LinkLedger, StaleTicket, TicketNotFound

CUSTOMER_ACTS = {"confirm": "Confirm the visit", "reschedule": "Ask for another slot", "cancel": "Cancel the visit"}
EXPERT_ACTS = {"accept": "Accept the offer", "refuse": "Refuse the offer"}
PATH = "/links/{token}"


class LinkSigning(Protocol):
    def sign(self, act: str, claims: dict[str, Any], expires_at: float) -> str: ...


class LinkChecking(Protocol):
    def verify(self, token: str) -> dict[str, Any]: ...  # LinkError


@dataclass
class LinkPage:
    """What the person who opened a link sees: the choice to make, what was done, or why nothing was."""
    status: int
    title: str
    message: str
    act: str = ""
    ticket: Ticket | None = None
    slot: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)  # reschedule: (value, label)
    errors: dict[str, str] = field(default_factory=dict)
    done: bool = False

    @property
    def may_act(self) -> bool:
        return self.status == 200 and not self.done


def refused(status: int, title: str, message: str, ticket: Ticket | None = None) -> LinkPage:
    return LinkPage(status, title, message, ticket=ticket)


class Links:
    def __init__(self, orchestrator: Any, signer: LinkSigning, checker: LinkChecking, ledger: LinkLedger,
                 clock: Clock, public_url: str):
        self.orchestrator, self.signer, self.checker, self.ledger = orchestrator, signer, checker, ledger
        self.clock, self.public_url = clock, public_url.rstrip("/")

    # Making links (for messages).
    def _url(self, act: str, ticket: Ticket, who: str, slot: str, expires_at: dt.datetime) -> str:
        token = self.signer.sign(act, {"tid": ticket.id, "who": who, "slot": slot}, expires_at.timestamp())
        return self.public_url + PATH.format(token=token)

    def for_customer(self, ticket: Ticket, slot: str) -> dict[str, str]:
        """Confirm, another slot, cancel: valid until the visit starts."""
        expires = dt.datetime.fromisoformat(slot)
        return {act: self._url(act, ticket, f"customer:{ticket.customer_id}", slot, expires) for act in CUSTOMER_ACTS}

    def for_expert(self, ticket: Ticket, expert_id: int, slot: str, expires_at: dt.datetime) -> dict[str, str]:
        """Accept, refuse: valid until the offer's deadline."""
        return {act: self._url(act, ticket, f"expert:{expert_id}", slot, expires_at) for act in EXPERT_ACTS}

    # Opening and using them.
    def open(self, token: str) -> LinkPage:
        page, _ = self._check(token)
        return page

    def use(self, token: str, slots: list[str]) -> LinkPage:
        page, claims = self._check(token)
        if not page.may_act or claims is None or page.ticket is None:
            return page
        ticket, act, who = page.ticket, page.act, claims["who"]
        if act == "reschedule":  # checked before the link is spent: a bad choice may be made again
            listed = {value for value, _ in page.choices}
            if not 1 <= len(slots) <= 3 or len(set(slots)) != len(slots) or any(s not in listed for s in slots):
                page.errors, page.status = {"slots": "choose one to three of the slots listed"}, 422
                return page
        if not self.ledger.claim(claims["jti"], act, ticket.id, self.clock()):
            return refused(409, "This link was already used", "Each link in our messages works once. Nothing was "
                           "changed now.", ticket)
        actor = f"link:{who}"
        try:
            done = self._act(act, ticket, who, actor, slots)
        except (TransitionRefused, StaleTicket, InvalidTicket) as exc:
            return refused(409, "Nothing was changed", f"The ticket changed since the message was sent ({exc}). "
                           "Call us if you need anything.", ticket)
        return LinkPage(200, "Done", done, act=act, ticket=ticket, slot=page.slot, done=True)

    def _act(self, act: str, ticket: Ticket, who: str, actor: str, slots: list[str]) -> str:
        o = self.orchestrator
        if act == "confirm":
            o.confirm_visit(ticket, actor)
            return "Thank you: the visit is confirmed. Your expert will tell you when they are on the way."
        if act == "cancel":
            o.cancel(ticket, actor, "cancelled from the link in a message")
            return f"Ticket {ticket.reference} is cancelled. The expert is told; nobody will come."
        if act == "reschedule":
            o.reschedule(ticket, slots, actor, "the customer asked for another slot")
            return ("We are finding an expert for the slots you chose; we will tell you who comes and when. "
                    "Your earlier appointment is released.")
        expert_id = int(who.split(":")[1])
        if act == "accept":
            if not o.assignment.accept(ticket.id, expert_id, actor):
                raise TransitionRefused("accept", "no longer offered to you")
            return f"Accepted: {ticket.reference} is booked for you. The customer is told."
        if not o.assignment.refuse(ticket.id, expert_id, actor, "refused from the link in a message"):
            raise TransitionRefused("refuse", "no longer offered to you")
        return f"Refused: {ticket.reference} goes to the next expert."

    def _check(self, token: str) -> tuple[LinkPage, dict[str, Any] | None]:
        try:
            claims = self.checker.verify(token)
        except LinkError as exc:
            title = "This link has expired" if exc.reason == "expired" else "This link does not work"
            return refused(410 if exc.reason == "expired" else 400, title, f"{exc} Nothing was changed."), None
        act, who, slot = claims.get("act"), claims.get("who"), claims.get("slot")
        if act not in {**CUSTOMER_ACTS, **EXPERT_ACTS} or not isinstance(who, str) or not isinstance(slot, str) or (
                not isinstance(claims.get("tid"), int)):
            return refused(400, "This link does not work", "This link is not one of ours. Nothing was changed."), None
        if self.ledger.used(claims["jti"]):
            return refused(409, "This link was already used", "Each link in our messages works once. Nothing was "
                           "changed now."), None
        try:
            ticket = self.orchestrator.management.get(claims["tid"])
        except TicketNotFound:
            return refused(404, "We could not find this visit", "Nothing was changed."), None
        problem = self._fits(ticket, act, who, slot)
        if problem is not None:
            return refused(409, "This link is for another visit", problem + " Nothing was changed.", ticket), None
        choices = upcoming_choices(self.clock()) if act == "reschedule" else []
        label = {**CUSTOMER_ACTS, **EXPERT_ACTS}[act]
        return LinkPage(200, label, "", act=act, ticket=ticket, slot=slot, choices=choices), claims

    @staticmethod
    def _fits(ticket: Ticket, act: str, who: str, slot: str) -> str | None:
        kind, _, person = who.partition(":")
        if act in CUSTOMER_ACTS:
            if kind != "customer" or person != str(ticket.customer_id):
                return "This link was sent to someone else."
            booking = ticket.booking()
            if ticket.status not in (State.ASSIGNED, State.IN_PROGRESS) or booking is None or booking.slot != slot:
                return "The visit it was sent for has changed since."
            return None
        if kind != "expert" or not person.isdigit():
            return "This link was sent to someone else."
        offer = next((a for a in ticket.open_offers() if a.expert_id == int(person)), None)
        if offer is None or offer.slot != slot:
            return "This offer is no longer open to you."
        return None
