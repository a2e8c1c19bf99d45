"""The outbox moving to the notifications service (iteration 3, docs/adr/0023), with the migration
protocol every part uses: freeze, copy, mark, reconcile, roll back.

- owner: which side sends (`legacy` or `notifications`); the bridge's old notification routes hand
  messages to the service while it owns the outbox.
- freeze: the service takes messages over. A queued message under a live lease (the outbox worker is
  sending it) is not taken: it is reported missing, sent here, and its outcome moves later. A frozen
  message is never claimed by the outbox worker (shell_app/outbox/worker.py).
- hand-back: the service gives messages back (a rollback): each is queued here again, unfrozen, under
  its own key, for the outbox worker to send.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select

from shell_app.models import Notification, PartOwner
from shell_app.outbox.enqueue import NotificationRequest, UnknownRecipient, enqueue
from shell_app.part_owners import OUTBOX, OWNERS, owner_of, set_owner

from .. import serializers as s
from ..auth import grant
from ._common import (
    batch_items,
    db,
    freeze_rows,
    handover_stats,
    id_list,
    int_field,
    invalid,
    json_body,
    mark_rows,
    text_field,
)

MOVERS = ("notifications", "backfill")
MAX_IDS = 500


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/outbox/owner", "outbox_owner", owner)
    bp.add_url_rule("/outbox/owner", "outbox_set_owner", change_owner, methods=["PUT"])
    bp.add_url_rule("/outbox/messages/ids", "outbox_ids", ids)
    bp.add_url_rule("/outbox/messages/stats", "outbox_stats", stats)
    bp.add_url_rule("/outbox/messages/freeze", "outbox_freeze", freeze, methods=["POST"])
    bp.add_url_rule("/outbox/messages/mark", "outbox_mark", mark, methods=["POST"])
    bp.add_url_rule("/outbox/messages/hand-back", "outbox_hand_back", hand_back, methods=["POST"])
    bp.add_url_rule("/outbox/messages/checksums", "outbox_checksums", checksums)


def checksum(row: Notification) -> str:
    """What a copy must keep: who the message is for and what it says, under which key."""
    text = "\x1f".join((row.idempotency_key, row.recipient_kind, str(row.recipient_id), row.subject, row.body))
    return hashlib.sha256(text.encode()).hexdigest()


def record(row: Notification) -> dict:
    """A legacy message as the notifications service copies it."""
    return {**s.notification(row), "subject": row.subject, "body": row.body, "address": row.address,
            "requested_by": row.requested_by, "next_attempt_at": s.iso(row.next_attempt_at),
            "checksum": checksum(row)}


@grant(services=MOVERS)
def owner():
    """Who sends; `since` is null while nobody ever switched it (a new installation)."""
    row = db().get(PartOwner, OUTBOX)
    return jsonify(part=OUTBOX, owner=owner_of(db(), OUTBOX), since=s.iso(row.changed_at) if row else None)


@grant(services=MOVERS)
def change_owner():
    wanted = json_body().get("owner")
    if wanted not in OWNERS:
        raise invalid({"owner": f"one of {', '.join(OWNERS)}"})
    set_owner(db(), OUTBOX, wanted)
    return jsonify(part=OUTBOX, owner=wanted)


@grant(services=MOVERS)
def stats():
    """How many messages, how many taken over (frozen), how many copied (marked)."""
    return handover_stats(Notification)


@grant(services=MOVERS)
def ids():
    """Ids of the messages not yet copied (`migrated=false`) or of all, in order, one page."""
    after = int(request.args.get("after", "0")) if request.args.get("after", "0").isdigit() else 0
    limit = min(int(request.args.get("limit", MAX_IDS)) if request.args.get("limit", "").isdigit() else MAX_IDS, MAX_IDS)
    query = select(Notification.id).where(Notification.id > after).order_by(Notification.id).limit(limit)
    if request.args.get("migrated") == "false":
        query = query.where(Notification.migrated_at.is_(None))
    return jsonify(items=list(db().scalars(query)))


def _records(message_ids: list[int]) -> tuple[list[dict], list[int]]:
    rows = list(db().scalars(select(Notification).where(Notification.id.in_(message_ids)).order_by(Notification.id)
                             .execution_options(populate_existing=True)))
    found = {r.id for r in rows}
    return [record(r) for r in rows], [i for i in message_ids if i not in found]


def _not_being_sent(message_ids: list[int]) -> list[int]:
    """Of the locked messages, those no live lease holds (sent, failed, or queued and not claimed)."""
    now = dt.datetime.now()
    return list(db().scalars(select(Notification.id).where(
        Notification.id.in_(message_ids),
        or_(Notification.status != "queued", Notification.lease_until.is_(None), Notification.lease_until < now))))


@grant(services=MOVERS)
def freeze():
    return freeze_rows(Notification, id_list(json_body().get("ids"), MAX_IDS), _records, admit=_not_being_sent)


@grant(services=MOVERS)
def mark():
    message_ids = id_list(json_body().get("ids"), MAX_IDS)
    mark_rows(Notification, message_ids)
    return jsonify(items=message_ids)


def _returned(item: dict, errors: dict[str, str]) -> NotificationRequest:
    key = text_field(item, "idempotency_key", errors, max_length=120, min_length=8)
    channel = item.get("channel")
    if channel not in ("email", "sms", "preferred"):
        errors["channel"] = "must be email, sms or preferred"
    recipient = item.get("recipient") if isinstance(item.get("recipient"), dict) else {}
    if recipient.get("kind") not in ("customer", "expert"):
        errors["recipient"] = "must be {kind: customer|expert, id: integer}"
    recipient_id = int_field(recipient, "id", errors)
    return NotificationRequest(key, channel, recipient.get("kind"), recipient_id,
                               text_field(item, "subject", errors, max_length=200),
                               text_field(item, "body", errors, max_length=4000), "notifications")


@grant(services=MOVERS)
def hand_back():
    """Queue these messages here again, unfrozen: each answers `queued` (the outbox worker sends it),
    `done` (sent or failed here already: nothing to do) or a problem for an unknown recipient."""
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    outcomes = []
    for request_ in batch_items(_returned, "messages", 100):
        row = session.scalar(select(Notification).where(Notification.idempotency_key == request_.idempotency_key)
                             .with_for_update())
        if row is None:
            try:
                row, _ = enqueue(session, request_, now)
            except UnknownRecipient as exc:
                outcomes.append({"key": request_.idempotency_key, "status": "refused", "detail": str(exc)})
                continue
        elif row.status == "queued":
            row.frozen_at = row.migrated_at = row.lease_until = None
            row.next_attempt_at = now
            session.commit()
        outcomes.append({"key": request_.idempotency_key, "id": row.id,
                         "status": "queued" if row.status == "queued" else "done"})
    return jsonify(items=outcomes)


@grant(services=MOVERS)
def checksums():
    """Every message's checksum with its migration marks, one page after `after`."""
    after = int(request.args.get("after", "0")) if request.args.get("after", "0").isdigit() else 0
    rows = list(db().scalars(select(Notification).where(Notification.id > after).order_by(Notification.id)
                             .limit(MAX_IDS)))
    return jsonify(items=[{"id": r.id, "key": r.idempotency_key, "checksum": checksum(r), "status": r.status,
                           "frozen": r.frozen_at is not None, "migrated": r.migrated_at is not None} for r in rows])
