"""Ticket management: raise (plan must cover the product, 1-3 slots), read, list, update, note, cancel."""
from __future__ import annotations

import builtins
import datetime as dt
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from bridge_client import NotFound
from foundation.vocabulary import iso

from ..domain.access import Reader
from ..domain.service_levels import (
    Deadline,
    Terms,
    alert_moments,
    deadlines,
    moved_moments,
    paused,
    terms_in_force,
)
from ..domain.slots import SlotError, validate_slots
from ..domain.ticket import Ticket
from .ports import BridgeClient, Clock, CustomerDirectory, CustomerUnknown, LegacyUnavailable, OpenTicketLimit, Tickets

TicketRef = Ticket | int  # a ticket already read (and its access checked), or its id
log = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000
# The product catalogue changes a few times a year: one bridge call a minute, not one per screen.
CATALOGUE_TTL_S = 60.0
MIN_DESCRIPTION = 10
RAISE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_raise_key() -> str:
    """The key a raise form carries, so that sending it twice raises one ticket."""
    return secrets.token_urlsafe(18)


@dataclass
class RaiseRequest:
    customer_id: int
    product_id: int | None
    description: str
    slots: list[str]
    channel: str  # "phone" (staff on the customer's behalf) or "web" (the customer)
    actor: str    # who raised it, e.g. "callcentre" or "customer1"
    # The same key again (a resubmitted form, a client's retry) gives the ticket the first one raised.
    raise_key: str | None = None


@dataclass
class InvalidTicket(Exception):
    """The request cannot become a ticket; `errors` maps each field to what is wrong with it."""
    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


def clean_description(text: str | None, errors: dict[str, str]) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) < MIN_DESCRIPTION:
        errors["description"] = f"describe the problem in at least {MIN_DESCRIPTION} characters"
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = f"keep the description under {MAX_DESCRIPTION} characters"
    return text


class Recent:
    """What the monolith said a moment ago, kept for `ttl` seconds (per process): the raise form and the
    raise that follows it ask the same questions within seconds. Thread-safe; `forget()` drops it all."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.clock = ttl, clock
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], Any], keep: Callable[[Any], bool] = lambda _value: True) -> Any:
        now = self.clock()
        with self._lock:
            found = self._items.get(key)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        value = load()
        if keep(value):
            with self._lock:
                if len(self._items) > 10_000:  # a bound, not a policy: the next minute refills it
                    self._items.clear()
                self._items[key] = (now, value)
        return value

    def drop(self, key: Any) -> None:
        with self._lock:
            self._items.pop(key, None)

    def forget(self) -> None:
        with self._lock:
            self._items.clear()


class TicketManagement:
    def __init__(self, tickets: Tickets, bridge: BridgeClient, clock: Clock, customers: CustomerDirectory):
        self.tickets = tickets
        self.bridge = bridge
        self.clock = clock
        # Who the customer is, what their plans cover, what we sell: the customers service's, read from
        # what it publishes (never the monolith: ADR 0025). Coverage is read afresh at every raise.
        self.customers = customers
        self._catalogue = Recent(CATALOGUE_TTL_S)

    def products(self) -> list[dict[str, Any]]:
        products: list[dict[str, Any]] = self._catalogue.get("products", self.customers.products)
        return products

    def covered_products(self, customer_id: int) -> list[dict[str, Any]]:
        """The products this customer's active contracts cover today, with the covering contract."""
        return self.customers.covered_products(customer_id, self.clock().date())

    def raise_ticket(self, request: RaiseRequest) -> int:
        """Validate, then store durably. The returned id means the ticket exists: only then may
        anyone be told it was received."""
        return self.store_ticket(request).id

    def customer(self, customer_id: int) -> dict[str, Any]:
        """The customer (CustomerUnknown if none; CustomersUnavailable if it cannot be read now)."""
        return self.customers.customer(customer_id)

    def store_ticket(self, request: RaiseRequest) -> Ticket:
        """raise_ticket, giving the stored ticket."""
        now = self.clock()
        errors: dict[str, str] = {}
        description = clean_description(request.description, errors)
        try:
            slots = validate_slots(request.slots, now)
        except SlotError as exc:
            errors["slots"] = str(exc)
            slots = []
        try:  # one read: who the customer is, the contract covering the product today and its plan's terms
            facts = self.customers.raise_facts(request.customer_id, request.product_id or 0, now.date())
        except CustomerUnknown:
            raise InvalidTicket({"customer": "no such customer"}) from None
        customer, contract, terms = facts["customer"], facts["contract"], facts["terms"]
        contract_id = None
        if request.product_id is None:
            errors["product_id"] = "choose the product that needs fixing"
        else:
            if contract is None:
                errors["product_id"] = "this customer's plans do not cover that product today"
            contract_id = contract["id"] if contract else None
        if request.raise_key is not None and not RAISE_KEY.fullmatch(request.raise_key):
            errors["raise_key"] = "must be 16 to 64 letters, digits, '-' or '_'"
        if errors or request.product_id is None or contract_id is None:
            raise InvalidTicket(errors)
        limit = (contract.get("plan") or {}).get("max_open_tickets") if contract else None
        try:
            ticket = self.tickets.create(customer_id=request.customer_id, contract_id=contract_id,
                                         product_id=request.product_id, locale_id=customer["locale"]["id"],
                                         description=description, slots=[s.isoformat() for s in slots],
                                         channel=request.channel, actor=request.actor, now=now,
                                         raise_key=request.raise_key, max_open=limit,
                                         promises=self.promises(contract or {}, customer, now, terms))
        except OpenTicketLimit:
            plan = (contract or {}).get("plan", {}).get("name") or "this plan"
            raise InvalidTicket({"product_id": f"{plan} allows {limit} open ticket{'' if limit == 1 else 's'} at a "
                                               "time, and this customer has that many open now: add to one of them, "
                                               "or raise this once one is closed"}) from None
        return ticket

    def service_terms(self, contract: dict[str, Any], customer: dict[str, Any],
                      versions: list[dict[str, Any]] | None = None) -> Terms | None:
        """The terms the contract was sold under (its plan's version in force on its start), on the working
        calendar of the customer's area; None if the plan states none. `versions`: the plan's terms, if
        already read."""
        plan_id = (contract.get("plan") or {}).get("id")
        if plan_id is None:
            return None
        region = (customer.get("locale") or {}).get("region")
        return terms_in_force(self.customers.plan_terms(int(plan_id)) if versions is None else versions,
                              self.customers.public_holidays(region), dt.date.fromisoformat(contract["start_date"]))

    def promises(self, contract: dict[str, Any], customer: dict[str, Any], now: dt.datetime,
                 versions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """What the ticket carries from its raise: when an expert must have accepted, and the visit."""
        terms = self.service_terms(contract, customer, versions)
        if terms is None:
            return {}
        promises = deadlines(terms, now)
        due = {p.name: iso(p.due) for p in promises}
        moments = alert_moments(promises, terms.calendar)
        return {"accept_by": due["accept"], "visit_by": due["visit"], "plan_id": int(contract["plan"]["id"]),
                "sla_alerts": [f"{name}@{iso(at)}" for name, at in moments],
                "next_alert_at": int(moments[0][1].timestamp())}

    def get(self, ticket_id: int, reader: Reader | None = None) -> Ticket:
        """The ticket; one still in the legacy system moves to the graph now, unless the reader may not
        read it (TicketNotFound)."""
        return self.tickets.get(ticket_id, reader=reader)

    def ticket(self, ticket: TicketRef) -> Ticket:
        """The ticket a caller already read (and checked access to), or read now by its id."""
        return ticket if isinstance(ticket, Ticket) else self.tickets.get(ticket)

    def panel_version(self, customer_id: int) -> tuple[Any, ...]:
        """Changes whenever anything shown of the customer's tickets changes."""
        return self.tickets.customer_version(customer_id)

    def list(self, *, customer_id: int | None = None, expert_id: int | None = None,
             statuses: builtins.list[str] | None = None, limit: int = 100, summary: bool = False) -> builtins.list[Ticket]:
        if expert_id is not None:
            # An expert's work includes open legacy tickets: they move in (with their slots) first.
            try:
                self.tickets.bind_legacy_commitments(expert_id=expert_id)
            except LegacyUnavailable:
                log.warning("legacy work of expert %s not moved in: legacy system unavailable", expert_id)
        return self.tickets.list(customer_id=customer_id, expert_id=expert_id, statuses=statuses, limit=limit,
                                 summary=summary)

    def many(self, ticket_ids: builtins.list[int]) -> builtins.list[Ticket]:
        """Whole tickets, in one read; those not in the graph are left out."""
        return self.tickets.many(ticket_ids)

    def add_note(self, ticket: TicketRef, note: str, actor: str) -> Ticket:
        ticket = self.ticket(ticket)
        ticket.require("note")
        text = (note or "").replace("\x00", "").strip()
        if not text:
            raise InvalidTicket({"note": "write the note first"})
        if len(text) > MAX_DESCRIPTION:
            raise InvalidTicket({"note": f"keep notes under {MAX_DESCRIPTION} characters"})
        ticket.add_note(text, actor)
        return self.tickets.save(ticket, self.clock())

    def wait_on_customer(self, ticket: TicketRef, reason: str, actor: str) -> Ticket:
        """Staff wait on the customer (why, in a few words): the plan's deadlines pause until they answer."""
        ticket = self.ticket(ticket)
        text = " ".join((reason or "").replace("\x00", "").split())
        if not text:
            raise InvalidTicket({"reason": "say what you are waiting for (an answer, a part, access to the home)"})
        if len(text) > 300:
            raise InvalidTicket({"reason": "keep it under 300 characters"})
        ticket.wait_on_customer(actor, text, self.clock())
        return self.tickets.save(ticket, self.clock())

    def customer_answered(self, ticket: TicketRef, actor: str) -> Ticket:
        """The wait is over: each deadline still ahead when it began moves later by the working time it
        lasted, on the plan's calendar, and so do the alerts not yet sent."""
        ticket = self.ticket(ticket)
        now, since = self.clock(), ticket.waiting_since
        moved: dict[str, Any] = {}
        if since is not None and ticket.accept_by and ticket.visit_by and ticket.created_at:
            moved = self._moved_promises(ticket, since, now)
        ticket.customer_answered(actor, now, moved)
        return self.tickets.save(ticket, now)

    def _moved_promises(self, ticket: Ticket, since: dt.datetime, now: dt.datetime) -> dict[str, Any]:
        raised = dt.datetime.fromisoformat(str(ticket.created_at))
        # one read, as at the raise: the customer, the contract covering the product then, its plan's terms
        facts = self.customers.raise_facts(ticket.customer_id, ticket.product_id, raised.date())
        contract = facts["contract"]
        terms = self.service_terms(contract, facts["customer"], facts["terms"]) if contract else None
        if terms is None:
            return {}
        accepted = ticket.status not in ("new", "offered", "unassigned")
        promises = paused([Deadline("accept", raised, dt.datetime.fromisoformat(str(ticket.accept_by)),
                                    since if accepted else None),
                           Deadline("visit", raised, dt.datetime.fromisoformat(str(ticket.visit_by)))],
                          terms.calendar, since, now)
        moments = moved_moments([(name, dt.datetime.fromisoformat(at)) for name, _, at in
                                 (entry.partition("@") for entry in ticket.get("sla_alerts") or [])],
                                terms.calendar, since, now)
        told = set(ticket.get("sla_told") or [])
        ahead = [at for name, at in moments if name not in told]
        due = {p.name: iso(p.due) for p in promises}
        return {"accept_by": due["accept"], "visit_by": due["visit"],
                "sla_alerts": [f"{name}@{iso(at)}" for name, at in moments],
                "next_alert_at": int(min(ahead).timestamp()) if ahead else None}

    def update_description(self, ticket: TicketRef, description: str, actor: str, revision: int | None) -> Ticket:
        ticket = self.ticket(ticket)
        errors: dict[str, str] = {}
        text = clean_description(description, errors)
        ticket.describe_problem(text, actor, revision)
        if errors:
            raise InvalidTicket(errors)
        return self.tickets.save(ticket, self.clock())

    def attach_article(self, ticket: TicketRef, article_id: int, actor: str) -> None:
        ticket = self.ticket(ticket)
        ticket.require("note")  # an attachment is recorded as a note: allowed where notes are
        title = self.tickets.article_title(article_id)
        if title is None:  # a legacy article the knowledge base has not taken over yet
            try:
                title = self.bridge.get_article(article_id)["title"]
            except NotFound:
                raise InvalidTicket({"article_id": "no such article"}) from None
        self.tickets.link_article(ticket.id, article_id, title, actor=actor, now=self.clock())
