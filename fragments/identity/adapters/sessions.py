"""Signed-in sessions in the graph server's key space (FalkorBackend.keyspace(): the same server,
connections, persistence and failover as the graph), kept by key with a time to live rather than as
nodes: a session is written at sign-in, read on every request, touched once a minute and gone at
sign-out or expiry, and FalkorDB never collects the index records such churn would leave (ADR 0029).

    identity:session:<sha256 of the id>    hash: account_id, started_at, last_seen_at, csrf, client;
                                           expires after the idle time (moved on at each touch), never
                                           later than the absolute time
    identity:account:<account id>          set of that account's session keys (sign out everywhere)
    identity:last-sign-in                  hash: account id -> when it last signed in
"""
from __future__ import annotations

import math
from typing import Any

import redis

from ..domain.sessions import Lifetimes, Session
from ..services.ports import StoreUnavailable


def answered(work):
    """`work()` against the key space; StoreUnavailable if the server does not answer (nothing changed)."""
    try:
        return work()
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise StoreUnavailable(str(exc)) from exc

PREFIX = "identity:session:"
ACCOUNT = "identity:account:"
LAST_SIGN_IN = "identity:last-sign-in"


def _ms_left(session: Session, now: float, lifetimes: Lifetimes) -> int:
    left = min(session.last_seen_at + lifetimes.idle_s, session.started_at + lifetimes.absolute_s) - now
    return max(1, math.ceil(left * 1000))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class KeyspaceSessions:
    def __init__(self, client: redis.Redis):
        self.client = client
        self._touch = client.register_script(TOUCH)

    def _run(self, work):
        return answered(work)

    def start(self, key: str, session: Session, lifetimes: Lifetimes) -> None:
        def work() -> None:
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(PREFIX + key, mapping={"account_id": session.account_id, "started_at": repr(session.started_at),
                                             "last_seen_at": repr(session.last_seen_at), "csrf": session.csrf,
                                             "client": session.client})
            pipe.pexpire(PREFIX + key, _ms_left(session, session.started_at, lifetimes))
            pipe.sadd(ACCOUNT + str(session.account_id), key)
            pipe.expire(ACCOUNT + str(session.account_id), math.ceil(lifetimes.absolute_s) + 60)
            pipe.execute()
        self._run(work)

    def get(self, key: str) -> Session | None:
        found = self._run(lambda: self.client.hgetall(PREFIX + key))
        if not found:
            return None
        values = {_text(k): _text(v) for k, v in found.items()}
        try:
            return Session(int(values["account_id"]), float(values["started_at"]), float(values["last_seen_at"]),
                           values["csrf"], values.get("client", ""))
        except (KeyError, ValueError):  # a half-written or foreign entry: no session
            return None

    def touch(self, key: str, session: Session, at: float, lifetimes: Lifetimes) -> None:
        # Only a session still there is moved on: one ended meanwhile stays ended (TOUCH, atomic).
        moved = Session(session.account_id, session.started_at, at, session.csrf, session.client)
        self._run(lambda: self._touch(keys=[PREFIX + key], args=[repr(at), _ms_left(moved, at, lifetimes)]))

    def end(self, key: str) -> None:
        self._run(lambda: self.client.delete(PREFIX + key))

    def end_all(self, account_id: int) -> int:
        def work() -> int:
            keys = [_text(k) for k in self.client.smembers(ACCOUNT + str(account_id))]
            pipe = self.client.pipeline(transaction=True)
            for key in keys:
                pipe.delete(PREFIX + key)
            pipe.delete(ACCOUNT + str(account_id))
            return sum(int(n) for n in pipe.execute()[:len(keys)])
        return int(self._run(work))

    def count(self, account_id: int) -> int:
        def work() -> int:
            keys = [_text(k) for k in self.client.smembers(ACCOUNT + str(account_id))]
            pipe = self.client.pipeline(transaction=False)  # one round trip for all of them
            for key in keys:
                pipe.exists(PREFIX + key)
            return sum(int(n) for n in pipe.execute()) if keys else 0
        return int(self._run(work))

    def signed_in(self, account_id: int, at: float) -> None:
        self._run(lambda: self.client.hset(LAST_SIGN_IN, str(account_id), repr(at)))

    def last_sign_in(self, account_id: int) -> float | None:
        found = self._run(lambda: self.client.hget(LAST_SIGN_IN, str(account_id)))
        return float(_text(found)) if found is not None else None


# Moves a session's last-seen time and expiry on, if the session is still there (atomic on the server).
TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
