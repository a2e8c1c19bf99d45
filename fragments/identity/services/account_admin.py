"""What an admin does with accounts here: find one and see how many live sessions it has and when it
last signed in, and sign it out everywhere (a lost phone, a leaver, a suspected theft)."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.accounts import Account
from .ports import Accounts, Sessions

SHOWN = 50


@dataclass(frozen=True)
class AccountRow:
    account: Account
    live_sessions: int
    last_sign_in: float | None  # seconds since the epoch


class AccountAdmin:
    def __init__(self, accounts: Accounts, sessions: Sessions):
        self.accounts = accounts
        self.sessions = sessions

    def find(self, words: str) -> list[AccountRow]:
        return [AccountRow(a, self.sessions.count(a.id), self.sessions.last_sign_in(a.id))
                for a in self.accounts.search(words.strip().casefold(), SHOWN)]

    def sign_out_everywhere(self, account_id: int) -> Account | None:
        """The account, every session of it ended; None if no such account is held."""
        account = self.accounts.get(account_id)
        if account is not None:
            self.sessions.end_all(account_id)
        return account
