"""Helpers the views and the API share: the service set, the caller, access to one ticket."""
from __future__ import annotations

from typing import Any

from flask import abort

from foundation.disclosure import for_customer
from foundation.tokens import Principal
from fragments.kit.auth import current, is_staff
from fragments.kit.bootstrap import services as fragment_services

from ..domain.access import Reader
from ..domain.ticket import Ticket
from ..services.ports import LegacyUnavailable, TicketNotFound
from ..wiring import Ticketing


def services() -> Ticketing:
    return fragment_services(Ticketing)


def actor() -> str:
    principal = current()
    return principal.subject if not principal.is_service else f"service:{principal.subject}"


def disclosed(ticket: Ticket, principal: Principal) -> tuple[list[dict[str, Any]], list[Any]]:
    """All of it for staff and experts; for the customer, no internal steps, names or refusal reasons."""
    if principal.is_service or principal.role != "customer":
        return ticket.history, ticket.allocations
    history = []
    for entry in ticket.history:
        shown = for_customer(entry.get("action", ""), entry.get("actor", ""), entry.get("detail", ""), principal.subject)
        if shown is not None:
            history.append({**entry, "actor": shown.actor, "detail": shown.detail})
    coming = [{"expert_id": a.expert_id, "state": a.state, "slot": a.slot, "reason": None}
              for a in ticket.allocations if a.state == "accepted"]
    return history, coming


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket for the JSON API, with what the caller may see of its history and experts."""
    body = ticket.to_dict()
    if ticket.whole and "history" in body:
        history, allocations = disclosed(ticket, current())
        if allocations is not ticket.allocations:
            body["history"] = history
            body["allocations"] = allocations
    return body


def visible_ticket(ticket_id: int) -> Ticket:
    """The ticket if the caller may see it: staff and services any; a customer their own; an expert
    one offered to or accepted by them. Anything else is a 404, so ids cannot be probed."""
    principal = current()
    # Services and staff read any; anyone else as a reader, whose rule the monolith applies when it
    # freezes a legacy ticket for them (a refused read never moves it).
    reader = None if principal.is_service or is_staff(principal) else Reader(
        principal.role, principal.customer_id, principal.expert_id)
    try:
        ticket = services().management.get(ticket_id, reader=reader)
    except TicketNotFound:
        abort(404)
    except LegacyUnavailable:
        abort(503, description="This ticket still lives in the legacy system, which is not answering. "
                               "Try again in a moment.")
    if reader is not None and not reader.may_read(ticket):
        abort(404)
    return ticket
