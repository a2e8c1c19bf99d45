"""Helpers the views and the API share: the service set, the caller, access to one ticket."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app

from fragments.kit.auth import current
from graph_store.errors import MigrationUnavailable, TicketNotFound

from ..wiring import Ticketing

STAFF = ("call_centre", "admin", "manager")
STAFF_WRITERS = ("call_centre", "admin")


def services() -> Ticketing:
    return current_app.extensions["ticketing"]


def actor() -> str:
    principal = current()
    return principal.subject if not principal.is_service else f"service:{principal.subject}"


def visible_ticket(ticket_id: int) -> dict[str, Any]:
    """The ticket if the caller may see it: staff and services any; a customer their own; an expert
    one offered to or accepted by them. Anything else is a 404, so ids cannot be probed."""
    try:
        ticket = services().management.get(ticket_id)
    except TicketNotFound:
        abort(404)
    except MigrationUnavailable:
        abort(503, description="This ticket still lives in the legacy system, which is not answering. "
                               "Try again in a moment.")
    principal = current()
    if principal.is_service or principal.role in STAFF:
        return ticket
    if principal.role == "customer" and ticket["customer_id"] == principal.customer_id:
        return ticket
    if principal.role == "expert" and any(a["expert_id"] == principal.expert_id and a["state"] in ("offered", "accepted")
                                          for a in ticket.get("allocations", [])):
        return ticket
    abort(404)
