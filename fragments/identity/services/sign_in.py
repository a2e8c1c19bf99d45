"""Signing in and out, resuming a session, changing a password: the rules of the monolith's login
(ADR 0013), now the identity service's.

- Every attempt is counted per account name before the password is looked at, and failures per
  address (foundation.login_throttle); a locked name stays locked for the right password too.
- A wrong name costs as much time as a wrong password (foundation.passwords.check_login).
- A hash of an older scheme or cost (every legacy hash the monolith handed over) is replaced by the
  current one at the first successful sign-in: nobody is asked to reset.
- A sign-in starts a new session (new id, new CSRF token): a session id planted before sign-in is
  worth nothing after it.
- A new password ends every session of the account, then starts one for the browser that changed it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from foundation.passwords import check_login, hash_password, needs_rehash, password_errors, verify_password

from ..domain.accounts import Account
from ..domain.sessions import Lifetimes, Session, digest, new_csrf, new_session_id, plausible
from .ports import Accounts, Clock, Sessions, Throttle

GENERIC_FAILURE = "Invalid username or password."


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the browser's cookie; the store keeps only its digest
    account: Account
    csrf: str


@dataclass(frozen=True)
class Refused:
    message: str
    status: int  # 401 wrong name or password, 429 throttled
    retry_after: int | None = None


@dataclass(frozen=True)
class Resumed:
    account: Account
    session: Session


class SignIn:
    def __init__(self, accounts: Accounts, sessions: Sessions, throttle: Throttle, lifetimes: Lifetimes,
                 clock: Clock = time.time):
        self.accounts = accounts
        self.sessions = sessions
        self.throttle = throttle
        self.lifetimes = lifetimes
        self.clock = clock

    def sign_in(self, username: str, password: str, address: str) -> SignedIn | Refused:
        refusal = self.throttle.admit(username, address)
        if refusal is not None:  # before the password: a lock holds for the right one too
            return Refused(refusal.message, 429, refusal.retry_after)
        account = self.accounts.named(username) if username else None
        if not check_login(account.password_hash if account else None, password) or account is None \
                or not account.active:
            self.throttle.failed(address)
            return Refused(GENERIC_FAILURE, 401)
        self.throttle.succeeded(username)
        if needs_rehash(account.password_hash):
            upgraded = hash_password(password)
            self.accounts.set_password_hash(account.id, upgraded)
            account = replace(account, password_hash=upgraded)
        now = self.clock()
        self.sessions.signed_in(account.id, now)
        return self._start(account, address, now)

    def resume(self, session_id: object) -> Resumed | None:
        """The live session named by this id with its active account, or None (unknown, ended, idle,
        too old, or its account gone or disabled: ended now)."""
        if not plausible(session_id):
            return None
        assert isinstance(session_id, str)
        key = digest(session_id)
        session = self.sessions.get(key)
        if session is None:
            return None
        now = self.clock()
        if session.ended(now, self.lifetimes):
            self.sessions.end(key)
            return None
        account = self.accounts.get(session.account_id)
        if account is None or not account.active:
            self.sessions.end_all(session.account_id)
            return None
        if session.due_touch(now):
            self.sessions.touch(key, session, now, self.lifetimes)
        return Resumed(account, session)

    def sign_out(self, session_id: object) -> None:
        if plausible(session_id):
            assert isinstance(session_id, str)
            self.sessions.end(digest(session_id))

    def sign_out_everywhere(self, account_id: int) -> int:
        return self.sessions.end_all(account_id)

    def change_password(self, session_id: str, current: str, new: str, confirm: str,
                        address: str) -> SignedIn | Refused | dict[str, str]:
        """A new session (for this browser) once changed; a Refused if throttled or signed out; the
        form's errors (nothing changed) otherwise."""
        resumed = self.resume(session_id)
        if resumed is None:
            return Refused("Your session has ended. Sign in again.", 401)
        account = resumed.account
        refusal = self.throttle.admit(account.username, address)
        if refusal is not None:
            return Refused(refusal.message, 429, refusal.retry_after)
        errors = password_errors(new, confirm)
        if not verify_password(account.password_hash, current):
            errors["current"] = "This is not your current password."
        if errors:
            return errors
        self.throttle.succeeded(account.username)
        upgraded = hash_password(new)
        self.accounts.set_password_hash(account.id, upgraded)
        self.sessions.end_all(account.id)
        return self._start(replace(account, password_hash=upgraded), address, self.clock())

    def new_password(self, account: Account, new: str, address: str) -> SignedIn:
        """The account's password replaced (a password link used): every session ended, one started here."""
        upgraded = hash_password(new)
        self.accounts.set_password_hash(account.id, upgraded)
        self.sessions.end_all(account.id)
        self.throttle.succeeded(account.username)  # the person is back in: a lock of their name lifts
        return self._start(replace(account, password_hash=upgraded), address, self.clock())

    def _start(self, account: Account, address: str, now: float) -> SignedIn:
        session_id, csrf = new_session_id(), new_csrf()
        self.sessions.start(digest(session_id), Session(account.id, now, now, csrf, address[:64]), self.lifetimes)
        return SignedIn(session_id, account, csrf)

