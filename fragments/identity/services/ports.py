"""What the identity service's use cases need: the accounts it holds (in the graph, taken over from the
monolith at their first sign-in here), the sessions (in the graph server's key space), and the login
throttle's counts."""
from __future__ import annotations

from typing import Callable, Protocol

from ..domain.accounts import Account, AccountDraft
from ..domain.sessions import Lifetimes, Session

Clock = Callable[[], float]  # seconds since the epoch


class StoreUnavailable(Exception):
    """The service's store does not answer: nothing was changed; the caller says so and retries later."""


class NameTaken(Exception):
    """Another account signs in by that name (here, or in the monolith): nothing was stored."""


class Accounts(Protocol):
    def named(self, username: str) -> Account | None: ...  # takes a legacy account over at its first use here
    def get(self, account_id: int) -> Account | None: ...
    def set_password_hash(self, account_id: int, password_hash: str) -> None: ...
    def search(self, words: str, limit: int) -> list[Account]: ...  # held accounts, by username or name
    def create(self, draft: AccountDraft, password_hash: str, by: str) -> Account: ...  # NameTaken
    def update(self, account_id: int, draft: AccountDraft, by: str) -> Account | None: ...  # None: no such account
    def set_active(self, account_id: int, active: bool, by: str) -> Account | None: ...


class Resets(Protocol):
    """Password links, by the digest of their token, each for a time and used once."""

    def issue(self, key: str, account_id: int, ttl_s: int) -> None: ...
    def peek(self, key: str) -> int | None: ...  # the account of a live link
    def take(self, key: str) -> int | None: ...  # the same, and the link gone (atomic: one taker)


class Directory(Protocol):
    """Whether the customer or expert an account is linked to exists (their services' published reads)."""

    def customer_known(self, customer_id: int) -> bool: ...
    def expert_known(self, expert_id: int) -> bool: ...


class MessengerUnavailable(Exception):
    """The notifications service did not take the message: nothing was sent."""


class Messenger(Protocol):
    def send(self, kind: str, recipient_id: int, key: str, subject: str, body: str) -> None: ...


class Sessions(Protocol):
    def start(self, key: str, session: Session, lifetimes: Lifetimes) -> None: ...
    def get(self, key: str) -> Session | None: ...
    def touch(self, key: str, session: Session, at: float, lifetimes: Lifetimes) -> None: ...
    def end(self, key: str) -> None: ...
    def end_all(self, account_id: int) -> int: ...  # how many ended
    def count(self, account_id: int) -> int: ...
    def signed_in(self, account_id: int, at: float) -> None: ...  # the account's last sign-in
    def last_sign_in(self, account_id: int) -> float | None: ...


class Refusal(Protocol):
    message: str
    retry_after: int


class Throttle(Protocol):
    def admit(self, username: str, address: str) -> Refusal | None: ...
    def failed(self, address: str) -> None: ...
    def succeeded(self, username: str) -> None: ...
