"""The small JSON API: for other services (experts, reports) and for clients without a browser.
Errors are RFC 9457 problem bodies."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from werkzeug.exceptions import BadRequest

from foundation.parsing import json_id, parse_digits
from foundation.problems import from_problem, invalid_fields, problem_response
from foundation.vocabulary import STAFF_ROLES as STAFF
from foundation.vocabulary import STAFF_WRITERS
from fragments.kit.auth import allow, current, require_customer

from ..domain.states import RaiseChannel, State, TransitionRefused
from ..domain.ticket import Ticket
from ..services.management import InvalidTicket, RaiseRequest
from ..services.ports import StaleTicket
from .common import actor, services, ticket_json, visible_ticket

bp = Blueprint("api", __name__)
SERVICES = ("experts", "reports")
RAISERS = (*STAFF_WRITERS, "customer")


def _invalid(errors: dict[str, str], detail: str) -> Response:
    return from_problem(invalid_fields(errors, detail))


def _body() -> dict[str, Any]:
    try:
        body = request.get_json() if request.is_json else None
    except BadRequest as exc:
        abort(problem_response(400, "Bad Request", exc.description or "send a JSON object", kind="invalid-body"))
    if not isinstance(body, dict):
        abort(problem_response(400, "Bad Request", "send a JSON object", kind="invalid-body"))
    return body


def _int(value: Any, field: str) -> int:
    number = json_id(value)
    if number is None:
        abort(_invalid({field: "must be a positive integer"}, f"{field} must be a positive integer"))
    return number


@bp.get("/tickets")
@allow(roles=(*STAFF, "customer", "expert"), services=SERVICES)
def list_tickets():
    principal = current()
    if principal.role == "expert":
        # An expert's own offers and assignments, whole (with the allocations the countdowns need).
        mine = services().management.list(expert_id=principal.expert_id, limit=100, summary=True)
        return jsonify(items=[ticket_json(t) for t in services().management.many([t.id for t in mine])])
    customer = request.args.get("customer_id", "")
    customer_id = parse_digits(customer)
    if principal.role == "customer":
        customer_id = principal.customer_id
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in State}:
        return problem_response(400, "Bad Request", f"unknown status {status!r}", kind="invalid-parameter")
    items = services().management.list(customer_id=customer_id, statuses=[status] if status else None)
    return jsonify(items=[t.to_dict() for t in items])


@bp.post("/tickets")
@allow(roles=RAISERS)
def create_ticket():
    body = _body()
    customer_id = _int(body.get("customer_id"), "customer_id")
    require_customer(customer_id)
    product_id = body.get("product_id")
    slots = body.get("slots")
    if not isinstance(slots, list) or not all(isinstance(s, str) for s in slots):
        return _invalid({"slots": "must be a list of 1 to 3 slots"}, "slots must be a list of strings")
    description = body.get("description")
    request_ = RaiseRequest(customer_id=customer_id,
                            product_id=_int(product_id, "product_id") if product_id is not None else None,
                            description=description if isinstance(description, str) else "", slots=slots,
                            channel=RaiseChannel.of(current().role), actor=actor(),
                            raise_key=request.headers.get("Idempotency-Key"))
    try:
        ticket = services().orchestrator.raise_ticket(request_)
    except InvalidTicket as invalid:
        return _invalid(invalid.errors, str(invalid))
    return jsonify(ticket_json(ticket)), 201


@bp.get("/tickets/<int:ticket_id>")
@allow(roles=(*STAFF, "customer", "expert"), services=SERVICES)
def get_ticket(ticket_id: int):
    return jsonify(ticket_json(visible_ticket(ticket_id)))


def _expert_id(body: dict[str, Any]) -> int:
    principal = current()
    if principal.is_service:
        return _int(body.get("expert_id"), "expert_id")
    return principal.expert_id


def _offer_answer(ticket_id: int, answer) -> Any:
    body = _body() if request.data else {}
    ticket = visible_ticket(ticket_id)
    expert_id = _expert_id(body)
    try:
        done = answer(ticket, expert_id, body)
    except TransitionRefused as refused:
        return problem_response(409, "Conflict", str(refused), kind="state-conflict")
    if not done:
        return problem_response(409, "Conflict", "there is no open offer of this ticket to this expert",
                                kind="no-open-offer")
    return jsonify(ticket_json(services().management.get(ticket_id)))


@bp.post("/tickets/<int:ticket_id>/accept")
@allow(roles=("expert",), services=("experts",))
def accept(ticket_id: int):
    return _offer_answer(ticket_id, lambda t, x, _b: services().assignment.accept(t.id, x, actor()))


@bp.post("/tickets/<int:ticket_id>/refuse")
@allow(roles=("expert",), services=("experts",))
def refuse(ticket_id: int):
    def do(ticket, expert_id, body):
        reason = body.get("reason", "")
        return services().assignment.refuse(ticket.id, expert_id, actor(),
                                            reason.strip()[:500] if isinstance(reason, str) else "")

    return _offer_answer(ticket_id, do)


@bp.post("/tickets/<int:ticket_id>/cancel")
@allow(roles=STAFF_WRITERS)
def cancel(ticket_id: int):
    body = _body() if request.data else {}
    ticket = visible_ticket(ticket_id)
    reason = body.get("reason", "")
    try:
        services().orchestrator.cancel(ticket.id, actor(), reason.strip()[:500] if isinstance(reason, str) else "")
    except (TransitionRefused, StaleTicket) as refused:
        return problem_response(409, "Conflict", str(refused), kind="state-conflict")
    return jsonify(ticket_json(services().management.get(ticket_id)))


def _json_change(ticket_id: int, change) -> Any:
    body = _body()
    ticket = visible_ticket(ticket_id)
    try:
        saved = change(ticket, body)
    except InvalidTicket as invalid:
        return _invalid(invalid.errors, str(invalid))
    except (TransitionRefused, StaleTicket) as refused:
        return problem_response(409, "Conflict", str(refused), kind="state-conflict")
    # A change that saved only the ticket answers it as saved; one that moved offers too is read again.
    return jsonify(ticket_json(saved if isinstance(saved, Ticket) else services().management.get(ticket_id)))


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field, "")
    return value if isinstance(value, str) else ""


@bp.post("/tickets/<int:ticket_id>/notes")
@allow(roles=(*STAFF_WRITERS, "customer", "expert"))
def add_note(ticket_id: int):
    return _json_change(ticket_id, lambda t, body: services().management.add_note(t, _text(body, "note"),
                                                                                    actor()))


@bp.get("/tickets/<int:ticket_id>/articles")
@allow(roles=(*STAFF, "customer", "expert"), services=SERVICES)
def articles(ticket_id: int):
    ticket = visible_ticket(ticket_id)
    return jsonify(items=services().management.tickets.articles(ticket.id))


@bp.post("/tickets/<int:ticket_id>/articles")
@allow(roles=(*STAFF_WRITERS, "expert"))
def attach_article(ticket_id: int):
    def attach(ticket, body):
        article_id = json_id(body.get("article_id"))
        if article_id is None:
            raise InvalidTicket({"article_id": "must be a positive integer"})
        services().management.attach_article(ticket.id, article_id, actor())

    return _json_change(ticket_id, attach)


@bp.post("/tickets/<int:ticket_id>/on-my-way")
@allow(roles=("expert",))
def on_my_way(ticket_id: int):
    """The expert holding the booking sets off: the customer gets a message with their first name and an
    arrival window. 409 for anyone else, another day or a slot that has ended."""
    return _json_change(ticket_id, lambda t, _body: services().orchestrator.on_my_way(t, current().expert_id,
                                                                                      actor()))


@bp.post("/tickets/<int:ticket_id>/close")
@allow(roles=("expert",))
def close(ticket_id: int):
    return _json_change(ticket_id, lambda t, body: services().orchestrator.close(
        t, current().expert_id, actor(), _text(body, "resolution")))
