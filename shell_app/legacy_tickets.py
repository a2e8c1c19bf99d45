"""The monolith's own ticket logic, kept as it is today: what the ticketing fragment replaces.

Its assignment is deliberately naive (the first active expert with the product's skill,
whatever the locale or the chosen slots): that is the "wrong expert shows up" pain.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Contract, Customer, Expert, ExpertSkill, LegacyTicket, TicketHistory, TicketSlot, UserAccount

ALLOWED_TRANSITIONS = {
    "open": {"assigned", "cancelled"},
    "assigned": {"in_progress", "open", "cancelled"},
    "in_progress": {"closed", "assigned"},
    "closed": {"in_progress"},  # reopened
    "cancelled": set(),
}


class TicketRuleError(Exception):
    """A request the ticket rules refuse; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class TicketMigratedError(Exception):
    """The ticket now lives in the new ticketing system; the legacy copy is read-only."""


def claim_for_write(db: Session, ticket: LegacyTicket, now: dt.datetime) -> None:
    """Start the write transaction by taking the ticket's row, and refuse if its copy was taken.

    The conditional UPDATE is the transaction's first statement: it takes the row lock (PostgreSQL)
    or the database write lock (SQLite) and holds it until commit, and the new ticketing's freeze is
    an UPDATE of the same row. So either this write commits before the freeze (and the copy holds
    it) or it sees the freeze and is refused: no request that read "not migrated" commits after.
    """
    claimed = db.execute(update(LegacyTicket).where(LegacyTicket.id == ticket.id, LegacyTicket.frozen_at.is_(None))
                         .values(updated_at=now)).rowcount
    db.refresh(ticket)  # the state as of the lock, not as of the page's earlier read
    if not claimed:
        moved = ticket.migrated_at or ticket.frozen_at
        raise TicketMigratedError(f"{ticket.reference} moved to the new ticketing system on "
                                  f"{moved:%Y-%m-%d %H:%M}; change it there.")


@dataclass(frozen=True)
class NewTicket:
    contract_id: int
    product_id: int
    description: str
    slots: tuple[dt.datetime, ...]
    channel: str


def actor_name(account: UserAccount) -> str:
    return f"{account.role}:{account.username}"


def reference_for(ticket_id: int) -> str:
    return f"T-{ticket_id:07d}"


def raise_ticket(db: Session, customer: Customer, request: NewTicket, by: UserAccount, now: dt.datetime) -> LegacyTicket:
    contract = db.get(Contract, request.contract_id)
    if contract is None or contract.customer_id != customer.id:
        raise TicketRuleError({"contract_id": "Choose one of this customer's contracts."})
    if not contract.covers(request.product_id, now.date()):
        raise TicketRuleError({"product_id": "This contract does not cover that product today."})
    if any(slot <= now for slot in request.slots):
        raise TicketRuleError({"slots": "Appointment slots must be in the future."})
    ticket = LegacyTicket(
        # The reference derives from the id, known only after the insert; a unique placeholder
        # keeps concurrent raises from colliding on it.
        reference=f"new-{uuid.uuid4().hex[:12]}", customer_id=customer.id, contract_id=contract.id,
        product_id=request.product_id, description=request.description, status="open",
        channel=request.channel, created_by_account_id=by.id, created_at=now, updated_at=now,
    )
    db.add(ticket)
    db.flush()
    ticket.reference = reference_for(ticket.id)
    db.add_all(TicketSlot(ticket_id=ticket.id, starts_at=slot) for slot in request.slots)
    _record(db, ticket, now, actor_name(by), "created", f"Raised by {request.channel}")
    _naive_assign(db, ticket, now)
    return ticket


def _naive_assign(db: Session, ticket: LegacyTicket, now: dt.datetime) -> None:
    expert = db.scalar(
        select(Expert).join(ExpertSkill).where(ExpertSkill.product_id == ticket.product_id, Expert.active)
        .order_by(Expert.id).limit(1)
    )
    if expert is None:
        return
    ticket.assigned_expert_id = expert.id
    ticket.status = "assigned"
    _record(db, ticket, now, "system:legacy-dispatch", "assigned", f"Assigned to {expert.full_name}")


def change_status(db: Session, ticket: LegacyTicket, new_status: str, actor: str, note: str,
                  now: dt.datetime) -> None:
    claim_for_write(db, ticket, now)
    if new_status not in ALLOWED_TRANSITIONS.get(ticket.status, set()):
        raise TicketRuleError({"status": f"A {ticket.status} ticket cannot become {new_status}."})
    if new_status == "closed" and not note.strip():
        raise TicketRuleError({"note": "Say how the problem was resolved."})
    previous = ticket.status
    ticket.status = new_status
    ticket.updated_at = now
    if new_status == "closed":
        ticket.closed_at, ticket.resolution = now, note.strip()
    if new_status == "open":
        ticket.assigned_expert_id = None
    _record(db, ticket, now, actor, "status", f"{previous} -> {new_status}. {note}".strip())


def add_note(db: Session, ticket: LegacyTicket, actor: str, note: str, now: dt.datetime) -> None:
    if not note.strip():
        raise TicketRuleError({"note": "A note cannot be empty."})
    claim_for_write(db, ticket, now)
    ticket.updated_at = now
    _record(db, ticket, now, actor, "note", note.strip())


def _record(db: Session, ticket: LegacyTicket, at: dt.datetime, actor: str, action: str, detail: str) -> None:
    db.add(TicketHistory(ticket_id=ticket.id, at=at, actor=actor, action=action, detail=detail))
