"""Signed-in sessions: what one is, and when it ends.

The browser holds only a random session id (its cookie); the service keeps the session under a digest
of that id, so whoever reads the store gets no live session. A session ends at sign-out, when its
account signs out everywhere (a password change does), after an idle time and after an absolute time.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

# Writing the last-seen time on every request would turn each page view into a write; once a minute is
# precise enough for an idle time-out counted in minutes.
TOUCH_EVERY_S = 60.0


@dataclass(frozen=True)
class Lifetimes:
    idle_s: float = 2 * 3600.0
    absolute_s: float = 12 * 3600.0  # a long shift; then sign in again

    @classmethod
    def of(cls, idle_minutes: float, max_hours: float) -> "Lifetimes":
        return cls(idle_s=idle_minutes * 60.0, absolute_s=max_hours * 3600.0)


@dataclass(frozen=True)
class Session:
    account_id: int
    started_at: float  # seconds since the epoch
    last_seen_at: float
    csrf: str  # the token every state-changing request of this session must carry
    client: str  # the address it signed in from

    def ended(self, now: float, lifetimes: Lifetimes) -> bool:
        return now - self.last_seen_at > lifetimes.idle_s or now - self.started_at > lifetimes.absolute_s

    def due_touch(self, now: float) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY_S


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def digest(session_id: str) -> str:
    """What the store keys a session by: never the id itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def plausible(session_id: object) -> bool:
    """An id this service could have made (checked before anything is looked up)."""
    return isinstance(session_id, str) and 20 <= len(session_id) <= 64
