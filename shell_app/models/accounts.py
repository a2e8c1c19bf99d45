"""Logins of the monolith: staff (call centre, manager, admin), experts and customers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from foundation.vocabulary import ROLES as ROLES  # re-exported: the models package names them
from foundation.vocabulary import STAFF_ROLES as STAFF_ROLES

from .base import Base, Handover


class UserAccount(Base, Handover):
    """A login; once the identity service has taken its copy (frozen_at), the monolith no longer edits it."""

    __tablename__ = "user_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(160))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), index=True)
    active: Mapped[bool]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random id, this row says whose and since when.
    Only the id's SHA-256 is kept, so reading this table does not give anyone a live session."""

    __tablename__ = "login_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    client: Mapped[str] = mapped_column(String(64))
