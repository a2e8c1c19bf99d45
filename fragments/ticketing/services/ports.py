"""What the use cases need from the outside world, one small port per aggregate, with the errors each
may raise declared beside it. The graph adapters (fragments/ticketing/adapters/) and the in-memory fake
of the fast tests satisfy them, and one contract suite runs against both (tests/ticketing/contract/)."""
from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from bridge_client import BridgeClient

from ..domain.access import Reader
from ..domain.ranking import Candidate
from ..domain.states import AllocationState
from ..domain.ticket import Ticket

Clock = Callable[[], dt.datetime]


class TicketingStoreError(Exception):
    """The store could not do what was asked (unreachable, refused the write): nothing was changed."""


class TicketNotFound(TicketingStoreError):
    pass


class StaleTicket(TicketingStoreError):
    """The ticket changed since the caller read it (optimistic concurrency)."""


class SlotTaken(TicketingStoreError):
    """The expert's slot is already held or booked for another ticket."""


class OpenTicketLimit(TicketingStoreError):
    """The contract's plan allows no more open tickets at a time: nothing was stored."""


class LegacyUnavailable(TicketingStoreError):
    """A legacy ticket could not be moved in: the monolith did not answer. Nothing was written."""


class Tickets(Protocol):
    """Tickets, with their history and allocations. Legacy tickets move in on first read."""

    # An earlier raise's ticket for a raise key seen before.
    def create(self, *, customer_id: int, contract_id: int, product_id: int, locale_id: int, description: str,
               slots: list[str], channel: str, actor: str, now: dt.datetime,
               raise_key: str | None = None, max_open: int | None = None,
               promises: dict[str, Any] | None = None) -> Ticket: ...  # OpenTicketLimit
    # With a `reader`, a legacy ticket moves in only if the monolith, freezing it, finds the reader may
    # read it (else TicketNotFound, and nothing moves); the caller still checks the copy it gets.
    def get(self, ticket_id: int, reader: Reader | None = None) -> Ticket: ...
    def many(self, ticket_ids: list[int]) -> list[Ticket]: ...  # whole, in one read; those here only
    # Its pending changes, each conditional on the revision it was made at; the ticket as saved.
    def save(self, ticket: Ticket, now: dt.datetime) -> Ticket: ...
    # Newest first; `summary`: only what a list shows (no description), a cheaper read.
    def list(self, *, customer_id: int | None = None, expert_id: int | None = None,
             statuses: builtins.list[str] | None = None, limit: int = 100, summary: bool = False) -> builtins.list[Ticket]: ...
    # Changes whenever anything shown of the customer's tickets changes (a cheap read, no ticket).
    def customer_version(self, customer_id: int) -> tuple[Any, ...]: ...
    def waiting(self, limit: int = 1000) -> builtins.list[int]: ...  # raised here, still `new`; oldest first
    def needing_follow_up(self, created_before: dt.datetime, limit: int = 100) -> builtins.list[int]: ...
    # Open legacy work holding these slots or this expert moves in first, with its bookings.
    def bind_legacy_commitments(self, *, slots: builtins.list[str] = ..., expert_id: int | None = None) -> int: ...
    # Every open legacy commitment moved in, and when that was last done (None: never).
    def bind_all_legacy_commitments(self, now: dt.datetime) -> int: ...
    def commitments_known_at(self) -> dt.datetime | None: ...
    # Service-level alerts: open tickets with an alert due by `now` ({id, reference, status, sla_alerts,
    # sla_told}), and marking those told (the next one due, or none).
    def alerts_due(self, now: dt.datetime, limit: int = 200) -> builtins.list[dict[str, Any]]: ...
    def alerts_told(self, ticket_id: int, told: builtins.list[str], next_at: dt.datetime | None) -> None: ...
    def article_title(self, article_id: int) -> str | None: ...  # held by the knowledge base, else None
    def link_article(self, ticket_id: int, article_id: int, title: str, *, actor: str, now: dt.datetime) -> None: ...
    def articles(self, ticket_id: int) -> builtins.list[dict[str, Any]]: ...


class Offers(Protocol):
    """Offers to experts, with the slot each holds: a held slot is never held for a second ticket."""

    # Every expert with the skill, serving the locale, free at one of the slots: unordered, for the one
    # order of fragments/ticketing/domain/ranking.py to rank.
    def candidates(self, *, product_id: int, locale_id: int | None, slots: builtins.list[dt.datetime], now: dt.datetime,
                   exclude: builtins.list[int]) -> builtins.list[Candidate]: ...
    def offer(self, *, ticket_id: int, expert_id: int, starts_at: str, now: dt.datetime,
              expires_at: dt.datetime) -> None: ...  # SlotTaken, StaleTicket, TicketNotFound
    def close_offer(self, *, ticket_id: int, expert_id: int, starts_at: str, outcome: AllocationState, actor: str,
                    now: dt.datetime, reason: str = "") -> bool: ...  # False if no open offer matched
    def due_offers(self, now: dt.datetime, limit: int = 100) -> builtins.list[dict[str, Any]]: ...
    def release_bookings(self, *, expert_id: int, ticket_id: int) -> bool: ...
    # Every accepted allocation of the ticket ends (withdrawn) and every slot it holds is freed; the
    # experts whose booking ended.
    def end_bookings(self, *, ticket_id: int, actor: str, now: dt.datetime, reason: str) -> builtins.list[int]: ...
    # Visits starting in [first, last), booked (`state` accepted) or offered: ticket, expert, slot, state,
    # customer, reference, status, when accepted, when the expert set off, reminders sent.
    def visits_between(self, first: dt.datetime, last: dt.datetime) -> builtins.list[dict[str, Any]]: ...
    # Open tickets booked to one expert for one slot (that has not ended), as lists of ticket ids.
    def double_bookings(self, now: dt.datetime) -> builtins.list[builtins.list[int]]: ...
    def expert_names(self, expert_ids: builtins.list[int]) -> dict[int, str]: ...


class Surveys(Protocol):
    """One satisfaction survey per closed ticket; each expert's score follows from theirs. And the
    survey's template, in versions (domain/survey_forms.py)."""

    # False if the ticket already had one. `answers`: per question, its position and score or text.
    def record(self, *, ticket_id: int, expert_id: int, customer_id: int, score: float, comment: str,
               now: dt.datetime, template: str, version: int, answers: builtins.list[dict[str, Any]]) -> bool: ...
    def find(self, ticket_id: int) -> dict[str, Any] | None: ...
    # A template's versions, oldest first ([] for none); one version (a legacy template is copied from
    # the monolith on its first read), or None.
    def versions(self, key: str) -> builtins.list[dict[str, Any]]: ...
    def version(self, key: str, version: int) -> dict[str, Any] | None: ...
    # Create-only: False if that version exists already (another manager published it first).
    def publish(self, record: dict[str, Any]) -> bool: ...
    # The template a legacy survey of this ticket was sent with ((key, version)), if any.
    def sent_with(self, ticket_id: int) -> tuple[str, int] | None: ...
    # How many answers each version of a template holds.
    def answer_counts(self, key: str) -> dict[int, int]: ...


class CustomerUnknown(Exception):
    """No such customer."""


class CustomersUnavailable(Exception):
    """The customer's record cannot be read now (the customers service does not hold it yet and cannot
    copy it, or its store does not answer): nothing was raised."""


class CustomerDirectory(Protocol):
    """Who a customer is, what their plans cover, and the catalogue: the customers service's (ADR 0025)."""

    def customer(self, customer_id: int) -> dict[str, Any]: ...  # CustomerUnknown, CustomersUnavailable
    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None: ...
    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any]:
        """{"customer", "contract": covering the product on `day` or None, "terms": its plan's versions}."""
    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]: ...
    def products(self) -> list[dict[str, Any]]: ...
    # A plan's service-level terms, each version {from, accept_hours, visit_days, weekdays, opens, closes}.
    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]: ...
    def public_holidays(self, region: str | None) -> list[str]: ...  # ISO dates


class NotificationsUnavailable(Exception):
    """The notifications service did not take the messages (not answering, or refused the batch)."""


class Notifier(Protocol):
    """The notifications service, which sends every message (fragments/notifications): messages as its
    API takes them ({key, category, recipient: {kind, id}, subject, body}); per message, in order,
    {"status": 202 | 200, "message": {...}} or {"status": 409, "problem": {...}}."""

    def send(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]: ...  # NotificationsUnavailable


class StaffAlerts(Protocol):
    """Where staff alerts go (the notifications service keeps them for the staff's outbox page, ADR 0036):
    alerts as `staff_alert` builds them; all taken or NotificationsUnavailable."""

    def raise_alerts(self, alerts: list[dict[str, Any]]) -> None: ...


def staff_alert(kind: str, message: str, ticket_reference: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "message": message, "ticket_reference": ticket_reference}


@dataclass(frozen=True)
class TicketingStores:
    tickets: Tickets
    offers: Offers
    surveys: Surveys
    links: LinkLedger


class LinkLedger(Protocol):
    """The links in messages that were used (each works once)."""

    # True the first time this link id is claimed; False for every later claim.
    def claim(self, jti: str, act: str, ticket_id: int, at: dt.datetime) -> bool: ...
    def used(self, jti: str) -> bool: ...


__all__ = ["BridgeClient", "Candidate", "Clock", "CustomerDirectory", "CustomerUnknown", "CustomersUnavailable",
           "LegacyUnavailable", "NotificationsUnavailable", "OpenTicketLimit", "Notifier", "Offers", "StaffAlerts",
           "staff_alert",
           "SlotTaken", "StaleTicket", "Surveys", "TicketNotFound", "Tickets", "TicketingStoreError", "TicketingStores"]
