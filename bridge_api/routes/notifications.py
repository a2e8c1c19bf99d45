from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify

from foundation.problems import Problem
from shell_app.models import Notification
from shell_app.outbox.enqueue import (
    KeyReused,
    NotificationRequest,
    UnknownRecipient,
    enqueue,
)

from .. import serializers as s
from ..auth import SERVICES, grant
from ._common import db, int_field, invalid, json_body, text_field


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/notifications", "notification_enqueue", create, methods=["POST"])
    bp.add_url_rule("/notifications/<int:notification_id>", "notification_get", get)


@grant(services=SERVICES)
def create():
    """202 with the queued notification; a repeated idempotency key returns the first one (200)."""
    body = json_body()
    errors: dict[str, str] = {}
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
    if errors:
        raise invalid(errors)
    request = NotificationRequest(key, channel, kind, recipient_id, subject, text, g.principal.subject)
    try:
        row, created = enqueue(db(), request, dt.datetime.now())
    except UnknownRecipient as exc:
        raise invalid({"recipient": str(exc)}) from exc
    except KeyReused as exc:
        raise Problem(409, "Conflict", str(exc), kind="idempotency-key-reused") from exc
    return jsonify(s.notification(row)), (202 if created else 200)


@grant(services=SERVICES)
def get(notification_id: int):
    row = db().get(Notification, notification_id)
    if row is None:
        raise Problem(404, "Not Found", f"no notification {notification_id}")
    return jsonify(s.notification(row))
