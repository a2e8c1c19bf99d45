from __future__ import annotations

import datetime as dt
import logging

import requests
from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import update

from foundation.problems import Problem, problem_body
from foundation.request_ids import forwarded
from foundation.tokens import Principal
from shell_app.models import Notification
from shell_app.outbox.enqueue import (
    KeyReused,
    NotificationRequest,
    UnknownRecipient,
    enqueue,
    enqueue_many,
)
from shell_app.part_owners import OUTBOX, owner_of

from .. import serializers as s
from ..auth import SERVICES, grant
from ._common import batch_items, db, int_field, invalid, json_body, text_field, until_sunset

log = logging.getLogger(__name__)

# The notifications service sends every message now (iteration 3, docs/adr/0023). These v1 routes stay
# served for old clients until the date below (RFC 8594 Sunset on every answer, the successor named);
# while the service owns the outbox they hand each message to it, keeping a frozen row here for the id.
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"
SUCCESSOR = '</fragments/notifications/api/v1/messages>; rel="successor-version"'


_until_sunset = until_sunset(SUNSET, SUCCESSOR)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/notifications", "notification_enqueue", _until_sunset(create), methods=["POST"])
    bp.add_url_rule("/notifications/batch", "notification_enqueue_many", _until_sunset(create_many), methods=["POST"])
    bp.add_url_rule("/notifications/<int:notification_id>", "notification_get", _until_sunset(get))


def category_of(key: str) -> str:
    """What a legacy message is about, from its key's first word (the senders' convention)."""
    return {"received": "confirmation", "booked": "confirmation", "offer": "offer", "survey": "survey",
            "remind": "reminder"}.get(key.split(":", 1)[0], "alert")


def as_message(request: NotificationRequest) -> dict:
    return {"key": request.idempotency_key, "category": category_of(request.idempotency_key),
            "recipient": {"kind": request.recipient_kind, "id": request.recipient_id}, "channel": request.channel,
            "subject": request.subject, "body": request.body}


def _handed_over() -> bool:
    return owner_of(db(), OUTBOX) == "notifications"


def _hand_over(rows: list[Notification], requests_: list[NotificationRequest]) -> None:
    """Give these (frozen) messages to the notifications service; if it does not take them, unfreeze them
    so the outbox worker here sends them: stored either way, sent by one side."""
    url = current_app.config.get("NOTIFICATIONS_URL", "").rstrip("/") + "/api/v1/messages/batch"
    token = current_app.extensions["token_signer"].mint(Principal("service", "shell"), "fragment:notifications")
    try:
        answer = requests.post(url, json={"items": [as_message(r) for r in requests_]}, timeout=(1.0, 10.0),
                               headers={"Authorization": f"Bearer {token}", **forwarded()})
        taken = answer.status_code == 200
    except requests.RequestException as exc:
        log.warning("the notifications service did not take %d messages: %s", len(rows), exc)
        taken = False
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    ids = [row.id for row in rows]
    if taken:
        session.execute(update(Notification).where(Notification.id.in_(ids), Notification.migrated_at.is_(None))
                        .values(migrated_at=now))
    else:
        session.execute(update(Notification).where(Notification.id.in_(ids), Notification.migrated_at.is_(None))
                        .values(frozen_at=None))
    session.commit()

# A batch is one transaction: small enough to hold its locks briefly, large enough for a worker's sweep.
MAX_BATCH = 100


@grant(services=SERVICES)
def create():
    """202 with the queued notification; a repeated idempotency key returns the first one (200)."""
    errors: dict[str, str] = {}
    request = _request(json_body(), errors)
    if errors:
        raise invalid(errors)
    handing_over = _handed_over()
    try:
        row, created = enqueue(db(), request, dt.datetime.now(), frozen=handing_over)
    except UnknownRecipient as exc:
        raise invalid({"recipient": str(exc)}) from exc
    except KeyReused as exc:
        raise Problem(409, "Conflict", str(exc), kind="idempotency-key-reused") from exc
    if handing_over and row.frozen_at is not None and row.migrated_at is None:
        _hand_over([row], [request])
    return jsonify(s.notification(row)), (202 if created else 200)


@grant(services=SERVICES)
def create_many():
    """Several notifications in one transaction. A malformed item refuses the whole batch (422, nothing
    stored); otherwise 200 with one outcome per item, in order: `status` 202 (queued now), 200 (the key
    was seen before: the first one) with `notification`, or 409 (key reused for another message) / 422
    (no such recipient) with `problem`, which does not stop the others."""
    requests_ = batch_items(_request, "notifications", MAX_BATCH)
    handing_over = _handed_over()
    results = enqueue_many(db(), requests_, dt.datetime.now(), frozen=handing_over)
    if handing_over:
        pending = [(row, r) for (row, _, _), r in zip(results, requests_)
                   if row is not None and row.frozen_at is not None and row.migrated_at is None]
        if pending:
            _hand_over([row for row, _ in pending], [r for _, r in pending])
    outcomes = []
    for row, created, error in results:
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
