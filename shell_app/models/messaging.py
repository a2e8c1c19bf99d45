"""The notification outbox and staff alerts the new services write through the bridge."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

CHANNELS = ("email", "sms")
RECIPIENT_KINDS = ("customer", "expert")
NOTIFICATION_STATUSES = ("queued", "sent", "failed")


class Notification(Base):
    """One message to deliver. Durable before it is acknowledged; delivered by the outbox worker."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(8))
    recipient_kind: Mapped[str] = mapped_column(String(10))
    recipient_id: Mapped[int]
    address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), index=True)
    attempts: Mapped[int]
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Set when the notifications service took the message over (docs/adr/0023): the outbox worker
    # never sends a frozen message; a message handed back to the monolith is unfrozen.
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    migrated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PartOwner(Base):
    """Which side serves a part of the monolith that moves out (the outbox: "legacy" or "notifications");
    no row: the monolith's own."""

    __tablename__ = "part_owners"
    part: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class StaffAlert(Base):
    __tablename__ = "staff_alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    ticket_reference: Mapped[str | None] = mapped_column(String(40))
    raised_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
