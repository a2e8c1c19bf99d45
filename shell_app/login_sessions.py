"""Signed-in sessions kept on the server, so they can end: at logout, on a password change, when an
admin signs someone out everywhere, after an idle time and after an absolute time.

The browser's (signed) session cookie carries only a random session id and the CSRF token; whose
session it is, and whether it is still valid, is this table's say. A copied cookie stops working
the moment its row is gone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from .models import LoginSession, UserAccount

# Writing last_seen_at on every request would turn each page view into a write; once a minute is
# precise enough for an idle time-out counted in minutes.
TOUCH_EVERY = dt.timedelta(seconds=60)

# The session and its account in one read, the statement built once: this runs before every request of
# every signed-in user (the fragments' permission checks included).
SESSION_AND_ACCOUNT = (select(LoginSession, UserAccount)
                       .outerjoin(UserAccount, UserAccount.id == LoginSession.account_id)
                       .where(LoginSession.id_hash == bindparam("id_hash")))


@dataclass(frozen=True)
class Lifetimes:
    idle: dt.timedelta = dt.timedelta(hours=2)
    absolute: dt.timedelta = dt.timedelta(hours=12)  # a long shift; then sign in again

    @classmethod
    def from_config(cls, config) -> "Lifetimes":
        return cls(idle=dt.timedelta(minutes=int(config.get("SESSION_IDLE_MINUTES", 120))),
                   absolute=dt.timedelta(hours=float(config.get("SESSION_MAX_HOURS", 12))))


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: Session, account: UserAccount, client: str, now: dt.datetime) -> str:
    """A new session for `account`; returns the id for the cookie (never stored as such)."""
    session_id = secrets.token_urlsafe(32)
    db.add(LoginSession(id_hash=_digest(session_id), account_id=account.id, created_at=now, last_seen_at=now,
                        client=(client or "")[:64]))
    return session_id


def resume(db: Session, session_id: object, now: dt.datetime, lifetimes: Lifetimes) -> UserAccount | None:
    """The active account of a live session, or None (unknown, ended, idle or too old: removed)."""
    if not isinstance(session_id, str) or not 20 <= len(session_id) <= 64:
        return None
    found = db.execute(SESSION_AND_ACCOUNT, {"id_hash": _digest(session_id)}).first()
    if found is None:
        return None
    row, account = found
    if now - row.last_seen_at > lifetimes.idle or now - row.created_at > lifetimes.absolute:
        db.delete(row)
        db.commit()
        return None
    if account is None or not account.active:
        end_all(db, row.account_id)
        db.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.commit()
    return account


def end(db: Session, session_id: object) -> None:
    if isinstance(session_id, str):
        db.execute(delete(LoginSession).where(LoginSession.id_hash == _digest(session_id)))


def end_all(db: Session, account_id: int) -> int:
    """Sign an account out everywhere; returns how many sessions ended."""
    return db.execute(delete(LoginSession).where(LoginSession.account_id == account_id)).rowcount or 0


def live_counts(db: Session, account_ids: list[int]) -> dict[int, int]:
    if not account_ids:
        return {}
    rows = db.execute(select(LoginSession.account_id, func.count()).where(LoginSession.account_id.in_(account_ids))
                      .group_by(LoginSession.account_id))
    return {account_id: count for account_id, count in rows}


def forget_expired(db: Session, now: dt.datetime, lifetimes: Lifetimes) -> int:
    """Housekeeping: rows of sessions nobody can resume any more."""
    result = db.execute(delete(LoginSession).where(
        (LoginSession.last_seen_at < now - lifetimes.idle) | (LoginSession.created_at < now - lifetimes.absolute)))
    return result.rowcount or 0
