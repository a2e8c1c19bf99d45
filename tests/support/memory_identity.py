"""The identity service's stores in memory, for its use cases' tests (the real ones, in the graph and
its server's key space, pass the same contract in tests/graph/test_identity_store.py)."""
from __future__ import annotations

from dataclasses import replace

from fragments.identity.domain.accounts import Account
from fragments.identity.domain.sessions import Lifetimes, Session


class MemoryAccounts:
    def __init__(self, *accounts: Account):
        self.by_id = {a.id: a for a in accounts}
        self.hash_writes = 0

    def named(self, username: str) -> Account | None:
        return next((a for a in self.by_id.values() if a.username == username), None)

    def get(self, account_id: int) -> Account | None:
        return self.by_id.get(account_id)

    def search(self, words: str, limit: int) -> list[Account]:
        found = [a for a in self.by_id.values() if words in a.username.casefold() or words in a.display_name.casefold()]
        return sorted(found, key=lambda a: a.username)[:limit]

    def set_password_hash(self, account_id: int, password_hash: str) -> None:
        self.by_id[account_id] = replace(self.by_id[account_id], password_hash=password_hash)
        self.hash_writes += 1


class MemorySessions:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.touches = 0
        self.last: dict[int, float] = {}

    def start(self, key: str, session: Session, lifetimes: Lifetimes) -> None:
        self.sessions[key] = session

    def get(self, key: str) -> Session | None:
        return self.sessions.get(key)

    def touch(self, key: str, session: Session, at: float, lifetimes: Lifetimes) -> None:
        if key in self.sessions:
            self.sessions[key] = replace(session, last_seen_at=at)
            self.touches += 1

    def end(self, key: str) -> None:
        self.sessions.pop(key, None)

    def end_all(self, account_id: int) -> int:
        gone = [k for k, s in self.sessions.items() if s.account_id == account_id]
        for key in gone:
            del self.sessions[key]
        return len(gone)

    def count(self, account_id: int) -> int:
        return sum(1 for s in self.sessions.values() if s.account_id == account_id)

    def signed_in(self, account_id: int, at: float) -> None:
        self.last[account_id] = at

    def last_sign_in(self, account_id: int) -> float | None:
        return self.last.get(account_id)
