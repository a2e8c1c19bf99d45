"""What an admin does with accounts here (the successor of the monolith's Accounts screen): find one and
see its live sessions and last sign-in; open a new one; change its name, role and what it is linked to;
disable it and enable it again; give a person a link to set their password; sign it out everywhere (a
lost phone, a leaver, a suspected theft).

A new account has no password anyone knows: its person sets one through a link, sent to them if the
account is a customer's or an expert's (the notifications service knows their address), and shown to
the admin to hand over in any case (staff have no address here). Disabling an account or changing its
role ends its sessions: the next page is the sign-in page, or the new role's. An admin cannot disable
their own account or change their own role (the last admin would lock everyone out)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from foundation.passwords import hash_password

from ..domain import resets
from ..domain.accounts import LINKED, Account, AccountDraft, InvalidAccount, draft_from
from .ports import Accounts, Directory, Messenger, MessengerUnavailable, NameTaken, Resets, Sessions

SHOWN = 50


@dataclass(frozen=True)
class AccountRow:
    account: Account
    live_sessions: int
    last_sign_in: float | None  # seconds since the epoch


@dataclass(frozen=True)
class Link:
    """A password link made for an account: its address, and whether it also went to the person."""

    account: Account
    url: str
    sent: bool | None  # True: sent to their address; False: it could not be sent now; None: no address here


class AccountUnknown(Exception):
    pass


class AccountAdmin:
    def __init__(self, accounts: Accounts, sessions: Sessions, links: Resets, directory: Directory,
                 messenger: Messenger, public_url: str):
        self.accounts = accounts
        self.sessions = sessions
        self.links = links
        self.directory = directory
        self.messenger = messenger
        self.public_url = public_url

    def find(self, words: str) -> list[AccountRow]:
        found = self.accounts.search(words.strip().casefold(), SHOWN)
        return [AccountRow(a, self.sessions.count(a.id), self.sessions.last_sign_in(a.id)) for a in found]

    def get(self, account_id: int) -> Account:
        account = self.accounts.get(account_id)
        if account is None:
            raise AccountUnknown(account_id)
        return account

    def open(self, form: Mapping[str, str], *, by: str) -> Link:
        """A new account (InvalidAccount: what is wrong, nothing stored), with its first password link."""
        draft = draft_from(form)
        self._check_links(draft)
        try:
            # A password nobody knows until the person sets theirs through the link.
            account = self.accounts.create(draft, hash_password(resets.new_token()), by)
        except NameTaken:
            raise InvalidAccount({"username": "another account signs in by this name"}) from None
        return self.link_for(account, opening=True)

    def change(self, account_id: int, form: Mapping[str, str], *, by: str) -> Account:
        current = self.get(account_id)
        draft = draft_from(form, username=current.username)
        if current.username == by and draft.role != current.role:
            raise InvalidAccount({"role": "you cannot change your own role: ask another admin"})
        self._check_links(draft)
        changed = self.accounts.update(account_id, draft, by)
        if changed is None:
            raise AccountUnknown(account_id)
        if changed.role != current.role:  # what its sessions may do has changed: they sign in again
            self.sessions.end_all(account_id)
        return changed

    def set_active(self, account_id: int, active: bool, *, by: str) -> Account:
        if not active and self.get(account_id).username == by:
            raise InvalidAccount({"active": "you cannot disable your own account: ask another admin"})
        changed = self.accounts.set_active(account_id, active, by)
        if changed is None:
            raise AccountUnknown(account_id)
        if not active:
            self.sessions.end_all(account_id)
        return changed

    def sign_out_everywhere(self, account_id: int) -> Account | None:
        """The account, every session of it ended; None if no such account is held."""
        account = self.accounts.get(account_id)
        if account is not None:
            self.sessions.end_all(account_id)
        return account

    def link_for(self, account: Account, *, opening: bool = False) -> Link:
        """A new password link for the account, sent to the person where they have an address here."""
        token = resets.new_token()
        self.links.issue(resets.token_key(token), account.id, resets.LIFETIME_S)
        url = resets.link(self.public_url, token)
        return Link(account, url, self._send(account, url, token, opening))

    def _send(self, account: Account, url: str, token: str, opening: bool) -> bool | None:
        kind = account.role if account.role in LINKED else None
        recipient = account.customer_id if kind == "customer" else account.expert_id
        if kind is None or recipient is None:
            return None
        subject = "Your Sysops Squad account" if opening else "Set a new Sysops Squad password"
        body = (f"{'An account was opened for you' if opening else 'A new password was asked for your account'} "
                f"({account.username}). Set your password here within 24 hours: {url} . "
                "If you did not expect this, ignore this message: nothing changes until the link is used.")
        try:
            self.messenger.send(kind, recipient, f"password-link:{resets.token_key(token)[:32]}", subject, body)
        except MessengerUnavailable:
            return False
        return True

    def _check_links(self, draft: AccountDraft) -> None:
        if draft.customer_id is not None and not self.directory.customer_known(draft.customer_id):
            raise InvalidAccount({"customer_id": f"there is no customer {draft.customer_id}"})
        if draft.expert_id is not None and not self.directory.expert_known(draft.expert_id):
            raise InvalidAccount({"expert_id": f"there is no expert {draft.expert_id}"})
