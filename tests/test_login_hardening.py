"""Password guessing is slowed down and sign-in costs the same for every name (foundation/login_throttle.py,
foundation/passwords.py). Each test uses a monolith of its own, so its locks stay its own."""
from __future__ import annotations

import hashlib
import itertools

import pytest

from foundation.passwords import CURRENT_COST
from sysops.wsgi import monolith

from .conftest import Auth, csrf_from
from .support.keys import KEYS_DIR

ADDRESSES = itertools.count(1)


@pytest.fixture
def fresh_app(seeded_url):
    app = monolith({"TESTING": True, "SECRET_KEY": "hardening", "KEYS_DIR": KEYS_DIR, "DATABASE_URL": seeded_url})
    yield app
    app.extensions["db_engine"].dispose()


def browser(app, address: str | None = None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or f"192.0.2.{next(ADDRESSES)}"
    return client


def attempt(client, username: str, password: str):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)})


def test_the_sixth_attempt_on_an_account_is_locked_even_with_the_right_password(fresh_app):
    for _ in range(5):  # from different addresses: the lock is the account's
        assert attempt(browser(fresh_app), "callcentre2", "wrong-guess").status_code == 401
    locked = attempt(browser(fresh_app), "callcentre2", "sysops-demo")
    assert locked.status_code == 429
    body = locked.get_data(as_text=True)
    assert "Too many sign-in attempts for this account" in body and "try again in 1 minute" in body
    assert int(locked.headers["Retry-After"]) > 0
    assert "Set-Cookie" not in locked.headers or "sid" not in locked.headers["Set-Cookie"]
    # Another account is not affected, and neither is an unknown name's lock telling anything apart.
    assert attempt(browser(fresh_app), "manager", "sysops-demo").status_code == 302
    for _ in range(5):
        attempt(browser(fresh_app), "no-such-account", "guess")
    assert attempt(browser(fresh_app), "no-such-account", "guess").status_code == 429


def test_a_success_before_the_limit_clears_the_count(fresh_app):
    for _ in range(4):
        attempt(browser(fresh_app), "expert2", "wrong-guess")
    assert attempt(browser(fresh_app), "expert2", "sysops-demo").status_code == 302
    for _ in range(4):
        assert attempt(browser(fresh_app), "expert2", "wrong-guess").status_code == 401


def test_many_failures_from_one_address_lock_that_address_only(fresh_app):
    address = "198.51.100.7"
    for n in range(30):  # spread over many names, as a password-spraying attacker does
        assert attempt(browser(fresh_app, address), f"sprayed-{n}", "Summer2026!").status_code == 401
    refused = attempt(browser(fresh_app, address), "callcentre", "sysops-demo")
    assert refused.status_code == 429 and "from your network" in refused.get_data(as_text=True)
    assert attempt(browser(fresh_app), "callcentre", "sysops-demo").status_code == 302


def test_every_sign_in_costs_one_current_cost_hash_whatever_the_name(fresh_app, monkeypatch):
    """Timing cannot tell accounts apart if the work cannot (benchmarks/login_timing.py measures it)."""
    costs: list[int] = []
    real = hashlib.scrypt

    def counting(password, **kwargs):
        costs.append(kwargs["n"])
        return real(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for username in ("nobody-by-this-name", "callcentre", "customer7"):  # unknown; full-cost; cheap demo hash
        costs.clear()
        assert attempt(browser(fresh_app), username, "wrong-guess").status_code == 401
        assert costs.count(CURRENT_COST[0]) == 1, (username, costs)


def test_a_throttled_password_change_cannot_be_used_to_guess(fresh_app):
    client = browser(fresh_app)
    Auth(client).login("callcentre")
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    answers = [client.post("/account/password", data={"csrf_token": token, "current": f"guess-{n}",
                                                      "new": "a-new-password", "confirm": "a-new-password"}).status_code
               for n in range(6)]
    assert answers == [422] * 5 + [429]
