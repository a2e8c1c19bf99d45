"""The notifications JSON API: our services hand messages over here (service tokens); staff and
customers read what was sent and choose how they are reached. Errors are RFC 9457 problem bodies."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from foundation.problems import field_errors, problem_body, problem_response
from foundation.vocabulary import STAFF_ROLES, STAFF_WRITERS
from fragments.kit.auth import allow, current, is_staff, require_customer
from fragments.kit.bootstrap import services

from ..domain.alerts import InvalidAlert, StaffAlert
from ..domain.messages import InvalidMessage, Message, Recipient, State
from ..domain.routing import Contact
from ..services.ports import MessageNotFound, RecipientUnavailable, RecipientUnknown
from ..services.sending import KeyReused, parse
from ..wiring import Notifications

bp = Blueprint("api", __name__)
# Every service of ours that tells people things; the shell for the bridge's old notification routes.
SENDERS = ("ticketing", "experts", "reports", "knowledge", "shell", "backfill", "identity")
MAX_BATCH = 100
# Who raises staff alerts (no expert free, a service level about to be missed): ticketing.
ALERTERS = ("ticketing",)


def _n() -> Notifications:
    return services(Notifications)


def message_json(m: Message) -> dict[str, Any]:
    return {"id": m.id, "key": m.key, "recipient": {"kind": m.recipient.kind, "id": m.recipient.id},
            "category": m.category, "subject": m.subject, "body": m.body, "state": m.state,
            "channel": m.sent_by or None, "address": m.address or None, "attempts": m.attempts,
            "created_at": m.created_at.isoformat(timespec="seconds"),
            "next_attempt_at": m.next_attempt_at.isoformat(timespec="seconds") if m.next_attempt_at else None,
            "sent_at": m.sent_at.isoformat(timespec="seconds") if m.sent_at else None,
            "history": [a.__dict__ for a in m.history]}


def contact_json(c: Contact) -> dict[str, Any]:
    return {"name": c.name, "channel": c.preferred, "opted_out": sorted(c.opted_out),
            "has_email": bool(c.email), "has_phone": bool(c.phone)}


def _outcome(accepted) -> dict[str, Any]:
    if isinstance(accepted.error, KeyReused):
        return {"status": 409, "problem": problem_body(409, "Conflict", str(accepted.error),
                                                       kind="idempotency-key-reused")}
    return {"status": 202 if accepted.created else 200,
            "message": {**message_json(accepted.message), "planned_channel": accepted.planned}}


def _json() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        abort(problem_response(400, "Bad Request", "the body must be JSON", kind="invalid-json"))
    return body


def _invalid(exc: InvalidMessage, detail: str = "the message has invalid fields"):
    return problem_response(422, "Unprocessable Content", detail, kind="validation", errors=field_errors(exc.errors))


@bp.post("/messages")
@allow(services=SENDERS)
def send():
    """202 with the stored message (queued, or suppressed for an opted-out optional one); the same key
    and message again: 200 with the first; the key with another message: 409."""
    try:
        message = parse(_json(), current().subject, _n().sending.clock)
    except InvalidMessage as exc:
        return _invalid(exc)
    outcome = _outcome(_n().sending.accept([message])[0])
    if "problem" in outcome:
        return problem_response(409, "Conflict", outcome["problem"]["detail"], kind="idempotency-key-reused")
    return jsonify(outcome["message"]), outcome["status"]


@bp.post("/messages/batch")
@allow(services=SENDERS)
def send_many():
    """Up to 100 messages, stored in one write: one outcome per item, in order. A malformed item
    refuses the whole batch (422 naming `items[i].field`, nothing stored)."""
    body = _json()
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        return problem_response(422, "Unprocessable Content", f"items: a list of 1 to {MAX_BATCH} messages",
                                kind="validation", errors=field_errors({"items": f"1 to {MAX_BATCH} messages"}))
    parsed, errors = [], {}
    for i, item in enumerate(items):
        try:
            parsed.append(parse(item, current().subject, _n().sending.clock))
        except InvalidMessage as exc:
            errors.update({f"items[{i}].{name}": text for name, text in exc.errors.items()})
    if errors:
        return _invalid(InvalidMessage(errors), "some messages have invalid fields; none was stored")
    return jsonify(items=[_outcome(a) for a in _n().sending.accept(parsed)])


def alert_json(a: StaffAlert) -> dict[str, Any]:
    return a.as_dict()


@bp.post("/staff-alerts")
@allow(services=ALERTERS)
def raise_alerts():
    """{"items": [{kind, message, ticket_reference?}, ...]} (1 to 100): all stored, 201 with them in order;
    any invalid: 422 naming `items[i].field`, none stored."""
    body = _json()
    try:
        raised = _n().alerting.raise_many(body.get("items") if isinstance(body, dict) else None, current().subject)
    except InvalidAlert as exc:
        return problem_response(422, "Unprocessable Content", "some alerts have invalid fields; none was stored",
                                kind="validation", errors=field_errors(exc.errors))
    return jsonify(items=[alert_json(a) for a in raised]), 201


@bp.get("/staff-alerts")
@allow(services=SENDERS, roles=STAFF_ROLES)
def staff_alerts():
    """The newest alerts first (?limit=, at most 200)."""
    raw = request.args.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        return problem_response(400, "Bad Request", "limit must be 1 to 200", kind="invalid-parameter")
    return jsonify(items=[alert_json(a) for a in _n().alerting.recent(int(raw))])


def _readable(m: Message) -> Message:
    principal = current()
    if not principal.is_service and not is_staff(principal):
        if m.recipient.kind != "customer" or principal.role != "customer" or principal.customer_id != m.recipient.id:
            abort(problem_response(404, "Not Found", "no such message"))
    return m


@bp.get("/messages/<message_id>")
@allow(services=SENDERS, roles=(*STAFF_ROLES, "customer"))
def get(message_id: str):
    try:
        return jsonify(message_json(_readable(_n().outboxes.get(message_id))))
    except MessageNotFound:
        return problem_response(404, "Not Found", "no such message")


@bp.get("/messages")
@allow(services=SENDERS, roles=(*STAFF_ROLES, "customer"))
def listing():
    """?customer_id= (a customer: their own, by default) or ?state=failed (staff: the dead letters)."""
    principal = current()
    state = request.args.get("state")
    if state is not None and state not in tuple(State):
        return problem_response(400, "Bad Request", f"state: one of {', '.join(State)}", kind="invalid-parameter")
    raw = request.args.get("customer_id") or (str(principal.customer_id) if principal.role == "customer" else "")
    if raw and not raw.isdigit():
        return problem_response(400, "Bad Request", "customer_id must be a positive integer", kind="invalid-parameter")
    if raw:
        require_customer(int(raw))
        found = _n().outboxes.of(Recipient("customer", int(raw)))
        found = [m for m in found if state is None or m.state == state]
    elif principal.is_service or is_staff(principal):
        found = _n().outboxes.recent([State(state)] if state else None)
    else:
        abort(403)
    return jsonify(items=[message_json(m) for m in found])


@bp.post("/messages/<message_id>/resend")
@allow(roles=STAFF_WRITERS)
def resend(message_id: str):
    try:
        return jsonify(message_json(_n().delivery.resend(message_id, current().subject)))
    except MessageNotFound:
        return problem_response(404, "Not Found", "no such message")
    except InvalidMessage as exc:
        return problem_response(409, "Conflict", str(exc), kind="not-resendable")


@bp.get("/customers/<int:customer_id>/preferences")
@allow(roles=(*STAFF_ROLES, "customer"))
def preferences(customer_id: int):
    require_customer(customer_id)
    return jsonify(contact_json(_n().preferences.of(Recipient("customer", customer_id))))


@bp.put("/customers/<int:customer_id>/preferences")
@allow(roles=(*STAFF_WRITERS, "customer"))
def choose(customer_id: int):
    require_customer(customer_id)
    body = _json()
    if not isinstance(body, dict):
        return _invalid(InvalidMessage({"body": "a JSON object"}))
    opted_out = body.get("opted_out", [])
    if not isinstance(opted_out, list) or not all(isinstance(c, str) for c in opted_out):
        return _invalid(InvalidMessage({"opted_out": "a list of kinds of message"}))
    try:
        chosen = _n().preferences.choose(Recipient("customer", customer_id), str(body.get("channel", "")), opted_out)
    except InvalidMessage as exc:
        return _invalid(exc)
    return jsonify(contact_json(chosen))


@bp.errorhandler(RecipientUnknown)
def unknown_recipient(exc: RecipientUnknown):
    return problem_response(404, "Not Found", str(exc))


@bp.errorhandler(RecipientUnavailable)
def unavailable_recipient(exc: RecipientUnavailable):
    return problem_response(503, "Service Unavailable", str(exc))
