"""The identity service's stores in memory, for its use cases' tests (the real ones, in the graph and
its server's key space, pass the same contract in tests/graph/test_identity_store.py)."""
from __future__ import annotations

from dataclasses import replace

from fragments.identity.domain.accounts import Account, AccountDraft
from fragments.identity.domain.sessions import Lifetimes, Session
from fragments.identity.services.ports import MessengerUnavailable, NameTaken


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


class MemoryDirectoryAccounts(MemoryAccounts):
    """MemoryAccounts an admin can also open and change (ids from NEW_ID_BASE, names unique)."""

    def __init__(self, *accounts: Account):
        super().__init__(*accounts)
        self.next_id = 10_000_000

    def create(self, draft: AccountDraft, password_hash: str, by: str) -> Account:
        if self.named(draft.username) is not None:
            raise NameTaken(draft.username)
        self.next_id += 1
        made = Account(self.next_id, draft.username, password_hash, draft.role, draft.display_name, draft.customer_id,
                       draft.expert_id, True)
        self.by_id[made.id] = made
        return made

    def update(self, account_id: int, draft: AccountDraft, by: str) -> Account | None:
        if account_id not in self.by_id:
            return None
        self.by_id[account_id] = replace(self.by_id[account_id], display_name=draft.display_name, role=draft.role,
                                         customer_id=draft.customer_id, expert_id=draft.expert_id)
        return self.by_id[account_id]

    def set_active(self, account_id: int, active: bool, by: str) -> Account | None:
        if account_id not in self.by_id:
            return None
        self.by_id[account_id] = replace(self.by_id[account_id], active=active)
        return self.by_id[account_id]


class MemoryLinks:
    def __init__(self) -> None:
        self.links: dict[str, int] = {}

    def issue(self, key: str, account_id: int, ttl_s: int) -> None:
        self.links[key] = account_id

    def peek(self, key: str) -> int | None:
        return self.links.get(key)

    def take(self, key: str) -> int | None:
        return self.links.pop(key, None)

    def expire_all(self) -> None:  # a day has passed
        self.links.clear()


class KnownPeople:
    def __init__(self, customers: set[int], experts: set[int]):
        self.customers, self.experts = customers, experts

    def customer_known(self, customer_id: int) -> bool:
        return customer_id in self.customers

    def expert_known(self, expert_id: int) -> bool:
        return expert_id in self.experts


class SentMessages:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.down = False

    def send(self, kind: str, recipient_id: int, key: str, subject: str, body: str) -> None:
        if self.down:
            raise MessengerUnavailable("switched off")
        self.sent.append({"kind": kind, "id": recipient_id, "key": key, "subject": subject, "body": body})


class RightAway:
    """An executor that runs what it is given at once (the background sender, in a test)."""

    def submit(self, work, *args):
        work(*args)
