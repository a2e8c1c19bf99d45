"""Accept a notification: resolve the address, store it durably, once per idempotency key."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shell_app.models import Customer, Expert, Notification


class UnknownRecipient(Exception):
    pass


class KeyReused(Exception):
    """The idempotency key was already used for a different message."""


@dataclass(frozen=True)
class NotificationRequest:
    idempotency_key: str
    channel: str  # email | sms | preferred
    recipient_kind: str  # customer | expert
    recipient_id: int
    subject: str
    body: str
    requested_by: str


def _address(session: Session, request: NotificationRequest) -> tuple[str, str]:
    model = Customer if request.recipient_kind == "customer" else Expert
    person = session.get(model, request.recipient_id)
    if person is None:
        raise UnknownRecipient(f"no {request.recipient_kind} {request.recipient_id}")
    channel = request.channel
    if channel == "preferred":
        channel = person.notification_preference if isinstance(person, Customer) else "sms"
    return channel, person.email if channel == "email" else person.phone


def enqueue(session: Session, request: NotificationRequest, now: dt.datetime,
            frozen: bool = False) -> tuple[Notification, bool]:
    """Returns (notification, created). Committed before returning: durable once acknowledged. `frozen`:
    stored as the notifications service's (handed to it), which the outbox worker never sends."""
    existing = session.scalar(select(Notification).where(Notification.idempotency_key == request.idempotency_key))
    if existing is not None:
        return _same_or_refuse(existing, request), False
    channel, address = _address(session, request)
    row = Notification(idempotency_key=request.idempotency_key, requested_by=request.requested_by, channel=channel,
                       recipient_kind=request.recipient_kind, recipient_id=request.recipient_id, address=address,
                       subject=request.subject, body=request.body, status="queued", attempts=0,
                       next_attempt_at=now, created_at=now, frozen_at=now if frozen else None)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a concurrent request with the same key won the insert
        session.rollback()
        existing = session.scalar(select(Notification).where(Notification.idempotency_key == request.idempotency_key))
        return _same_or_refuse(existing, request), False
    return row, True


def enqueue_many(session: Session, requests: list[NotificationRequest], now: dt.datetime,
                 frozen: bool = False) -> list[tuple[Notification | None, bool, Exception | None]]:
    """enqueue() for several messages in one transaction (one commit, so one disk flush for all of
    them): per request (notification, created, None), or (None, False, error) for an unknown recipient
    or a reused key, which leaves the others unaffected. Committed before returning."""
    keys = [r.idempotency_key for r in requests]
    known = {row.idempotency_key: row for row in session.scalars(
        select(Notification).where(Notification.idempotency_key.in_(keys)))}
    outcomes: list[tuple[Notification | None, bool, Exception | None]] = []
    for request in requests:
        try:
            existing = known.get(request.idempotency_key)
            if existing is not None:
                outcomes.append((_same_or_refuse(existing, request), False, None))
                continue
            channel, address = _address(session, request)
        except (UnknownRecipient, KeyReused) as exc:
            outcomes.append((None, False, exc))
            continue
        row = Notification(idempotency_key=request.idempotency_key, requested_by=request.requested_by,
                           channel=channel, recipient_kind=request.recipient_kind, recipient_id=request.recipient_id,
                           address=address, subject=request.subject, body=request.body, status="queued",
                           attempts=0, next_attempt_at=now, created_at=now, frozen_at=now if frozen else None)
        session.add(row)
        known[request.idempotency_key] = row
        outcomes.append((row, True, None))
    try:
        session.commit()
    except IntegrityError:  # a concurrent request won the insert of one of the keys: one by one instead
        session.rollback()
        return [_one(session, request, now, frozen) for request in requests]
    return outcomes


def _one(session: Session, request: NotificationRequest, now: dt.datetime,
         frozen: bool) -> tuple[Notification | None, bool, Exception | None]:
    try:
        row, created = enqueue(session, request, now, frozen)
    except (UnknownRecipient, KeyReused) as exc:
        return None, False, exc
    return row, created, None


def _same_or_refuse(existing: Notification, request: NotificationRequest) -> Notification:
    same = (existing.recipient_kind, existing.recipient_id, existing.body, existing.subject) == (
        request.recipient_kind, request.recipient_id, request.body, request.subject)
    if not same:
        raise KeyReused(f"idempotency key {request.idempotency_key!r} was used for another message")
    return existing
