"""Legacy ticket writes through the bridge (notes and status changes by staff integrations).

The same rules and the same write transaction as the legacy screens (shell_app.legacy_tickets):
a ticket whose copy the new ticketing has taken answers 409, so no write is accepted that the copy
would miss."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify

from foundation.problems import Problem
from foundation.vocabulary import STAFF_WRITERS
from shell_app import legacy_tickets
from shell_app.forms import MAX_NOTE
from shell_app.models import TICKET_STATUSES, LegacyTicket

from ..auth import grant
from ._common import db, invalid, json_body, text_field


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>/notes", "legacy_ticket_add_note", add_note, methods=["POST"])
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>/status", "legacy_ticket_change_status", change_status,
                    methods=["POST"])


def _apply(ticket_id: int, change) -> dict:
    session = db()
    ticket = session.get(LegacyTicket, ticket_id)
    if ticket is None:
        raise Problem(404, "Not Found", f"no legacy ticket {ticket_id}")
    try:
        change(ticket, f"{g.principal.role}:{g.principal.subject}", dt.datetime.now())
    except legacy_tickets.TicketMigratedError as exc:
        session.rollback()
        raise Problem(409, "Conflict", str(exc), kind="ticket-migrated") from exc
    except legacy_tickets.TicketRuleError as exc:
        session.rollback()
        raise invalid(exc.errors) from exc
    session.commit()
    return {"id": ticket.id, "reference": ticket.reference, "status": ticket.status,
            "updated_at": ticket.updated_at.isoformat()}


@grant(roles=STAFF_WRITERS)
def add_note(ticket_id: int):
    body, errors = json_body(), {}
    note = text_field(body, "note", errors, max_length=MAX_NOTE)
    if errors:
        raise invalid(errors)
    return jsonify(_apply(ticket_id, lambda t, actor, now: legacy_tickets.add_note(db(), t, actor, note, now)))


@grant(roles=STAFF_WRITERS)
def change_status(ticket_id: int):
    body, errors = json_body(), {}
    status = body.get("status")
    if status not in TICKET_STATUSES:
        errors["status"] = f"must be one of {', '.join(TICKET_STATUSES)}"
    note = text_field(body, "note", errors, max_length=MAX_NOTE, required=False, min_length=0)
    if errors:
        raise invalid(errors)
    return jsonify(_apply(ticket_id, lambda t, actor, now: legacy_tickets.change_status(
        db(), t, status, actor, note, now)))
