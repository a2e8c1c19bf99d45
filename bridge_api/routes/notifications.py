from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify

from foundation.problems import Problem, problem_body
from shell_app.models import Notification
from shell_app.outbox.enqueue import (
    KeyReused,
    NotificationRequest,
    UnknownRecipient,
    enqueue,
    enqueue_many,
)

from .. import serializers as s
from ..auth import SERVICES, grant
from ._common import batch_items, db, int_field, invalid, json_body, text_field


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/notifications", "notification_enqueue", create, methods=["POST"])
    bp.add_url_rule("/notifications/batch", "notification_enqueue_many", create_many, methods=["POST"])
    bp.add_url_rule("/notifications/<int:notification_id>", "notification_get", get)

# A batch is one transaction: small enough to hold its locks briefly, large enough for a worker's sweep.
MAX_BATCH = 100


@grant(services=SERVICES)
def create():
    """202 with the queued notification; a repeated idempotency key returns the first one (200)."""
    errors: dict[str, str] = {}
    request = _request(json_body(), errors)
    if errors:
        raise invalid(errors)
    try:
        row, created = enqueue(db(), request, dt.datetime.now())
    except UnknownRecipient as exc:
        raise invalid({"recipient": str(exc)}) from exc
    except KeyReused as exc:
        raise Problem(409, "Conflict", str(exc), kind="idempotency-key-reused") from exc
    return jsonify(s.notification(row)), (202 if created else 200)


@grant(services=SERVICES)
def create_many():
    """Several notifications in one transaction. A malformed item refuses the whole batch (422, nothing
    stored); otherwise 200 with one outcome per item, in order: `status` 202 (queued now), 200 (the key
    was seen before: the first one) with `notification`, or 409 (key reused for another message) / 422
    (no such recipient) with `problem`, which does not stop the others."""
    requests = batch_items(_request, "notifications", MAX_BATCH)
    outcomes = []
    for row, created, error in enqueue_many(db(), requests, dt.datetime.now()):
        if isinstance(error, KeyReused):
            outcomes.append({"status": 409, "problem": problem_body(409, "Conflict", str(error),
                                                                    kind="idempotency-key-reused")})
        elif error is not None:
            outcomes.append({"status": 422, "problem": problem_body(422, "Unprocessable Content", str(error),
                                                                    kind="invalid-fields")})
        else:
            outcomes.append({"status": 202 if created else 200, "notification": s.notification(row)})
    return jsonify(items=outcomes)


def _request(body: dict, errors: dict[str, str]) -> NotificationRequest:
    key = text_field(body, "idempotency_key", errors, max_length=120, min_length=8)
    channel = body.get("channel")
    if channel not in ("email", "sms", "preferred"):
        errors["channel"] = "must be email, sms or preferred"
    recipient = body.get("recipient")
    kind, recipient_id = None, None
    if not isinstance(recipient, dict) or recipient.get("kind") not in ("customer", "expert"):
        errors["recipient"] = "must be {kind: customer|expert, id: integer}"
    else:
        kind, recipient_id = recipient["kind"], int_field(recipient, "id", errors)
    subject = text_field(body, "subject", errors, max_length=200)
    text = text_field(body, "body", errors, max_length=4000)
    return NotificationRequest(key, channel, kind, recipient_id, subject, text, g.principal.subject)


@grant(services=SERVICES)
def get(notification_id: int):
    row = db().get(Notification, notification_id)
    if row is None:
        raise Problem(404, "Not Found", f"no notification {notification_id}")
    return jsonify(s.notification(row))
