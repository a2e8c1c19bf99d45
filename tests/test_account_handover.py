"""Login accounts handed over to the identity service (ADR 0032): the bridge's routes for them, granted to
that service (and the operator's backfill) alone, and the monolith's login writing nothing to an account
once it is frozen. Each test makes the account it hands over."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bridge_client import record_checksum
from foundation.passwords import DEMO_COST, hash_password, verify_password
from shell_app.models import UserAccount

from .conftest import Auth, csrf_from
from .support.bridge import PRINCIPALS, BridgeCaller

_names = itertools.count()
PASSWORD = "handover-password-1"


@pytest.fixture
def as_(app, client):
    return lambda who: BridgeCaller(client, app.extensions["token_signer"], PRINCIPALS[who])


@pytest.fixture
def account(db):
    row = UserAccount(username=f"handover-{next(_names)}-{dt.datetime.now():%H%M%S%f}",
                      password_hash=hash_password(PASSWORD, cost=DEMO_COST), role="call_centre",
                      display_name="Hand Over", active=True, created_at=dt.datetime(2026, 1, 2, 9, 30))
    db.add(row)
    db.commit()
    return row


def test_the_identity_service_finds_freezes_and_marks_an_account_with_its_hash(as_, account):
    identity = as_("service:identity")
    named = identity.call("GET", "/handover/accounts/named", "/handover/accounts/named",
                          query_string={"username": account.username})
    assert named.status_code == 200 and named.get_json() == {"id": account.id}
    unknown = identity.call("GET", "/handover/accounts/named", "/handover/accounts/named",
                            query_string={"username": account.username.upper()})
    assert unknown.status_code == 404  # exact, as the monolith's login compares names
    frozen = identity.call("POST", "/handover/accounts/freeze", "/handover/accounts/freeze",
                           json={"ids": [account.id, 999999]}).get_json()
    assert frozen["missing"] == [999999]
    copy = frozen["items"][0]
    assert copy["password_hash"] == account.password_hash and copy["username"] == account.username
    assert copy["checksum"] == record_checksum(copy) and copy["frozen_at"] and copy["migrated_at"] is None
    again = identity.call("POST", "/handover/accounts/freeze", "/handover/accounts/freeze", json={"ids": [account.id]})
    assert again.get_json()["items"] == frozen["items"]  # idempotent: the same content, the first freeze time
    identity.call("POST", "/handover/accounts/mark", "/handover/accounts/mark", json={"ids": [account.id]})
    pending = identity.call("GET", "/handover/accounts/ids", "/handover/accounts/ids",
                            query_string={"migrated": "false", "after": account.id - 1, "limit": 1}).get_json()
    assert account.id not in pending["items"]


@pytest.mark.parametrize("who", ["service:customers", "service:ticketing", "service:reports", "user:admin"])
def test_no_one_else_takes_an_account_or_asks_for_one_by_name(as_, account, who):
    caller = as_(who)
    assert caller.call("POST", "/handover/accounts/freeze", "/handover/accounts/freeze",
                       json={"ids": [account.id]}).status_code == 403
    assert caller.call("GET", "/handover/accounts/named", "/handover/accounts/named",
                       query_string={"username": account.username}).status_code == 403
    # Nor through the customers' routes: the accounts' own routes answer for that path.
    assert caller.call("POST", "/handover/accounts/release", "/handover/accounts/release",
                       json={"ids": [account.id]}).status_code == 403


def test_the_monolith_signs_in_a_frozen_account_but_writes_nothing_to_it(app, as_, account, db):
    as_("service:identity").call("POST", "/handover/accounts/freeze", "/handover/accounts/freeze",
                                 json={"ids": [account.id]})
    browser = app.test_client()
    auth = Auth(browser)
    assert auth.login(account.username, PASSWORD).status_code == 302
    db.expire_all()
    row = db.get(UserAccount, account.id)
    assert row.last_login_at is None and row.password_hash == account.password_hash  # no rehash, no login time
    page = browser.get("/account/password")
    refused = browser.post("/account/password", data={"current": PASSWORD, "new": "another-password-2",
                                                      "confirm": "another-password-2",
                                                      "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert refused.status_code == 422 and "moved to the new sign-in service" in refused.get_data(as_text=True)
    db.expire_all()
    assert verify_password(db.get(UserAccount, account.id).password_hash, PASSWORD)


def test_the_identity_service_writes_an_account_back_whole_and_only_once_it_holds_it(as_, account, db):
    identity = as_("service:identity")
    whole = {"username": account.username, "password_hash": hash_password("a newer password", cost=DEMO_COST),
             "role": "call_centre", "display_name": "Hand Over", "customer_id": None, "expert_id": None, "active": True}
    path, template = f"/handover/accounts/{account.id}", "/handover/accounts/{account_id}"
    refused = identity.call("PUT", path, template, json=whole)
    assert refused.status_code == 409  # never taken over: the monolith's own
    identity.call("POST", "/handover/accounts/freeze", "/handover/accounts/freeze", json={"ids": [account.id]})
    bad = identity.call("PUT", path, template, json={**whole, "role": "root", "password_hash": "plain"})
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"role", "password_hash"}
    for _ in range(2):  # a repeat writes the same row
        written = identity.call("PUT", path, template, json=whole)
        assert written.status_code == 200 and written.get_json()["password_hash"] == whole["password_hash"]
    db.expire_all()
    row = db.get(UserAccount, account.id)
    assert verify_password(row.password_hash, "a newer password") and row.frozen_at is not None
    assert as_("service:customers").call("PUT", path, template, json=whole).status_code == 403
