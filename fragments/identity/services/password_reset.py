"""Setting a password through a link (domain/resets.py), and asking for one at the sign-in page.

Anyone may ask, by account name; the answer is the same whatever the name, and takes as long: the link
goes out afterwards, in the background, and only to an active customer's or expert's account (the
notifications service has their address; staff ask an admin, who hands them a link). Each request counts
against the asker's address like a failed sign-in, so the page cannot be used to flood someone's phone.
A link sets one password once, within a day; using it ends every session of the account and signs this
browser in."""
from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass

from foundation.passwords import password_errors

from ..domain import resets
from ..domain.accounts import LINKED, Account
from .account_admin import AccountAdmin
from .ports import Accounts, Resets, Throttle
from .sign_in import Refused, SignedIn, SignIn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkSpent:
    """The link is unknown, used or older than a day: nothing changed."""

    message: str = "This link has expired or was already used. Ask for a new one."


class PasswordReset:
    def __init__(self, accounts: Accounts, links: Resets, throttle: Throttle, sign_in: SignIn, admin: AccountAdmin,
                 background: Executor):
        self.accounts = accounts
        self.links = links
        self.throttle = throttle
        self.sign_in = sign_in
        self.admin = admin
        self.background = background

    def ask(self, username: str, address: str) -> Refused | None:
        refusal = self.throttle.admit(username, address)
        if refusal is not None:
            return Refused(refusal.message, 429, refusal.retry_after)
        self.throttle.failed(address)
        if username:
            self.background.submit(self._send_if_reachable, username)
        return None

    def _send_if_reachable(self, username: str) -> None:
        """In the background: nobody waits for it, so whatever goes wrong is logged here."""
        try:
            account = self.accounts.named(username)
            if account is not None and account.active and account.role in LINKED:
                self.admin.link_for(account)
        except Exception:  # the store or the messenger away: the person asks again; the operator sees why
            log.exception("a password link asked for was not sent")

    def holder(self, token: object) -> Account | None:
        """The active account a live link is for, else None."""
        if not resets.plausible(token):
            return None
        assert isinstance(token, str)
        account_id = self.links.peek(resets.token_key(token))
        account = self.accounts.get(account_id) if account_id is not None else None
        return account if account is not None and account.active else None

    def use(self, token: object, new: str, confirm: str, address: str) -> SignedIn | LinkSpent | dict[str, str]:
        """The new password set and this browser signed in; the form's errors (the link still good); or
        LinkSpent."""
        account = self.holder(token)
        if account is None:
            return LinkSpent()
        errors = password_errors(new, confirm)
        if errors:
            return errors
        assert isinstance(token, str)
        if self.links.take(resets.token_key(token)) != account.id:  # used meanwhile by another request
            return LinkSpent()
        return self.sign_in.new_password(account, new, address)
