"""Deliver queued notifications: claim with a lease, send, record; retry with back-off.

Claiming is a conditional UPDATE on each candidate row, so several workers (or a restarted
one) never send the same claimed message at once; a worker that dies mid-send leaves a
lease that expires, and the message is delivered by the next claim. Delivery is therefore
at-least-once; the stable Message-ID and idempotency key let receivers drop duplicates.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable, Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from foundation import request_ids
from foundation.loops import keep_running
from shell_app.models import Notification, StaffAlert

from .transports import Transport, TransportError

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** attempts, 300))


def claim_due(session: Session, now: dt.datetime, batch: int = 20, lease: dt.timedelta = LEASE) -> list[int]:
    """A frozen message is the notifications service's (it took it over): never claimed here. The freeze
    takes only messages no live lease holds, and a claim only messages not frozen, each in one
    conditional UPDATE: a message is sent by one side."""
    candidates = session.scalars(
        select(Notification.id).where(Notification.status == "queued", Notification.next_attempt_at <= now,
                                      Notification.frozen_at.is_(None),
                                      or_(Notification.lease_until.is_(None), Notification.lease_until < now))
        .order_by(Notification.next_attempt_at, Notification.id).limit(batch)
    ).all()
    claimed = []
    for notification_id in candidates:
        result = session.execute(
            update(Notification).where(Notification.id == notification_id, Notification.status == "queued",
                                       Notification.frozen_at.is_(None),
                                       or_(Notification.lease_until.is_(None), Notification.lease_until < now))
            .values(lease_until=now + lease)
        )
        session.commit()
        if result.rowcount == 1:
            claimed.append(notification_id)
    return claimed


def deliver(session: Session, notification_id: int, transports: Mapping[str, Transport],
            clock: Callable[[], dt.datetime] = dt.datetime.now) -> str:
    row = session.get(Notification, notification_id)
    try:
        transports[row.channel].send(row)
    except TransportError as exc:
        row.attempts += 1
        row.last_error = str(exc)[:2000]
        row.lease_until = None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            session.add(StaffAlert(kind="notification-failed", ticket_reference=None, raised_by="outbox",
                                   message=f"Could not deliver {row.channel} {row.idempotency_key} to "
                                           f"{row.recipient_kind} {row.recipient_id}: {row.last_error}",
                                   created_at=clock()))
        else:
            row.next_attempt_at = clock() + backoff(row.attempts)
        session.commit()
        return row.status
    row.attempts += 1
    row.status, row.sent_at, row.lease_until, row.last_error = "sent", clock(), None, None
    session.commit()
    return "sent"


def run_once(sessions: sessionmaker, transports: Mapping[str, Transport],
             clock: Callable[[], dt.datetime] = dt.datetime.now, lease: dt.timedelta = LEASE) -> int:
    with sessions() as session:
        ids = claim_due(session, clock(), lease=lease)
        for notification_id in ids:
            deliver(session, notification_id, transports, clock)
    return len(ids)


def run_forever(sessions: sessionmaker, transports: Mapping[str, Transport], should_stop: Callable[[], bool],
                idle_sleep: float = 0.5, lease: dt.timedelta = LEASE) -> None:
    """Until stopped; the database going away (a restart, a fail-over) is waited out, not fatal.
    A mail server that does not answer is a TransportError per message, retried by the outbox itself."""
    def step() -> bool:
        request_ids.begin()  # one id per sweep, in its log lines
        return run_once(sessions, transports, lease=lease) > 0

    keep_running(step, should_stop,
                 transient=(SQLAlchemyError, OSError), log=log, idle=idle_sleep, max_backoff=10.0,
                 name="outbox-worker")
