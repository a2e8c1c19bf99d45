"""Slowing down password guessing: sign-in attempts per account name and failures per client address,
counted in moving windows by the `limits` library (ADR 0013).

Per account name (known or not, so a lock reveals nothing about which accounts exist) every attempt
is counted before the password is even looked at, and a success clears the count: a locked account
stays locked for the right password too, until its window moves on. The tiers make the wait grow:
a minute after 5 attempts, a quarter of an hour after 10, an hour after 20. Per address only
failures count (a call centre signs in from one address every morning).

Counters live where the storage URI says: memory:// is per process (tests, a single worker); the
installation shares them through the graph server's Redis (SYSOPS_LIMITS_STORAGE), so all workers and
restarts see the same counts. If that store is unreachable, this process's own memory takes over.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

ACCOUNT_LIMITS = parse_many("5 per minute; 10 per 15 minutes; 20 per hour")
ADDRESS_LIMITS = parse_many("30 per minute; 200 per hour")


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds


class LoginThrottle:
    def __init__(self, storage_uri: str = "memory://"):
        try:
            storage = storage_from_string(storage_uri)
        except ConfigurationError:
            log.exception("login throttle storage %s unusable; counting in this process", storage_uri)
            storage = MemoryStorage()
        self._shared = MovingWindowRateLimiter(storage)
        self._local = MovingWindowRateLimiter(MemoryStorage())

    def _limiter(self) -> MovingWindowRateLimiter:
        try:
            if self._shared.storage.check():
                return self._shared
        except Exception:  # the store's client raises its own errors; any of them: use memory
            pass
        log.warning("login throttle store unreachable; counting in this process")
        return self._local

    def admit(self, username: str, address: str) -> Refusal | None:
        """Count an attempt; a Refusal if this account name or address must wait."""
        limiter = self._limiter()
        name = username.casefold()
        for limit in ADDRESS_LIMITS:
            if not limiter.test(limit, "login-address", address):
                return Refusal("Too many failed sign-ins from your network. Try again in "
                               f"{_minutes(limiter, limit, 'login-address', address)}.",
                               _seconds(limiter, limit, "login-address", address))
        for limit in ACCOUNT_LIMITS:
            if not limiter.hit(limit, "login-account", name):
                return Refusal("Too many sign-in attempts for this account. For your security it is locked; try "
                               f"again in {_minutes(limiter, limit, 'login-account', name)}.",
                               _seconds(limiter, limit, "login-account", name))
        return None

    def failed(self, address: str) -> None:
        limiter = self._limiter()
        for limit in ADDRESS_LIMITS:
            limiter.hit(limit, "login-address", address)

    def succeeded(self, username: str) -> None:
        limiter = self._limiter()
        for limit in ACCOUNT_LIMITS:
            limiter.clear(limit, "login-account", username.casefold())


def _seconds(limiter: MovingWindowRateLimiter, limit, *identifiers: str) -> int:
    reset = limiter.get_window_stats(limit, *identifiers).reset_time
    return max(1, math.ceil(reset - time.time()))


def _minutes(limiter: MovingWindowRateLimiter, limit, *identifiers: str) -> str:
    minutes = math.ceil(_seconds(limiter, limit, *identifiers) / 60)
    return "1 minute" if minutes <= 1 else f"{minutes} minutes"
