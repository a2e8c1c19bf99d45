"""Legacy login accounts made by a test in the monolith's database that a live bridge serves, so each
identity test signs in accounts of its own."""
from __future__ import annotations

import datetime as dt
import itertools
import uuid

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from foundation.passwords import DEMO_COST, hash_password
from shell_app.models import UserAccount
from tests.support.legacy_customers import add_customers

PASSWORD = "identity-test-password"
_made = itertools.count()


def legacy_account(url: str, *, role: str = "call_centre", active: bool = True, expert_id: int | None = None,
                   customer_id: int | None = None, cost=DEMO_COST) -> UserAccount:
    """A new account in the legacy database at `url`, hashed as the monolith's bulk accounts are (an older,
    cheaper cost, upgraded at the first sign-in)."""
    engine = create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            row = UserAccount(username=f"id-{next(_made)}-{uuid.uuid4().hex[:8]}",
                              password_hash=hash_password(PASSWORD, cost=cost), role=role, display_name="Test Person",
                              customer_id=customer_id, expert_id=expert_id, active=active,
                              created_at=dt.datetime(2026, 3, 4, 8, 0))
            session.add(row)
            session.commit()
            return row
    finally:
        engine.dispose()


def legacy_row(url: str, account_id: int) -> UserAccount:
    engine = create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return session.get(UserAccount, account_id)
    finally:
        engine.dispose()


def customer_signing_in(url: str) -> tuple[dict, str]:
    """A customer of the test's own in the legacy database at `url` (tests.support.legacy_customers:
    one active contract covering catalogue products), with an account of theirs to sign in with
    (`PASSWORD`): (the customer, the account's username)."""
    made, = add_customers(url, 1)
    return made, legacy_account(url, role="customer", customer_id=made["id"]).username
