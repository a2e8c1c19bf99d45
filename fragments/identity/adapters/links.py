"""Password links in the graph server's key space, beside the sessions (adapters/sessions.py):

    identity:password-link:<sha256 of the token>    the account's id; expires with the link (a day)

Taking a link reads and deletes it in one transaction: of two requests using the same link, one gets it."""
from __future__ import annotations

import redis

from .sessions import answered

PREFIX = "identity:password-link:"


class KeyspaceLinks:
    def __init__(self, client: redis.Redis):
        self.client = client

    def _run(self, work):
        return answered(work)

    def issue(self, key: str, account_id: int, ttl_s: int) -> None:
        self._run(lambda: self.client.set(PREFIX + key, account_id, ex=ttl_s))

    def peek(self, key: str) -> int | None:
        return _id(self._run(lambda: self.client.get(PREFIX + key)))

    def take(self, key: str) -> int | None:
        def work():
            pipe = self.client.pipeline(transaction=True)
            pipe.get(PREFIX + key)
            pipe.delete(PREFIX + key)
            return pipe.execute()[0]
        return _id(self._run(work))


def _id(value: object) -> int | None:
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else str(value)
    return int(text) if text.isdigit() else None
