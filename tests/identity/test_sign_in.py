"""The identity service's sign-in rules at the use-case level, over stores in memory and the real login
throttle (in this process's memory): who gets in, how long a session lives, what a new password ends,
and a legacy hash upgraded at its first sign-in with nobody asked to reset."""
from __future__ import annotations

import pytest

from foundation.login_throttle import LoginThrottle
from foundation.passwords import CURRENT_COST, DEMO_COST, hash_password, needs_rehash, verify_password
from fragments.identity.domain.accounts import Account
from fragments.identity.domain.sessions import TOUCH_EVERY_S, Lifetimes, digest
from fragments.identity.services.sign_in import GENERIC_FAILURE, Refused, SignedIn, SignIn
from tests.support.clock import Clock

from ..support.memory_identity import MemoryAccounts, MemorySessions

PASSWORD = "correct horse battery"
CHEAP = (2**4, 8, 1)  # fast hashes for the rules; the cost's own upgrade is tested with DEMO_COST


def account(account_id: int = 1, username: str = "agent", *, active: bool = True, cost=CURRENT_COST,
            role: str = "call_centre") -> Account:
    return Account(account_id, username, hash_password(PASSWORD, cost=cost), role, "An Agent", None, None, active)


@pytest.fixture
def world():
    clock = Clock(1_800_000_000.0)
    accounts = MemoryAccounts(account(), account(2, "retired", active=False), account(3, "old", cost=DEMO_COST))
    sessions = MemorySessions()
    service = SignIn(accounts, sessions, LoginThrottle(), Lifetimes(idle_s=3600, absolute_s=8 * 3600), clock)
    return service, accounts, sessions, clock


def test_the_right_password_starts_a_session_that_resumes(world):
    service, _, sessions, clock = world
    outcome = service.sign_in("agent", PASSWORD, "10.0.0.1")
    assert isinstance(outcome, SignedIn) and outcome.account.username == "agent"
    assert digest(outcome.session_id) in sessions.sessions and outcome.session_id not in sessions.sessions
    resumed = service.resume(outcome.session_id)
    assert resumed is not None and resumed.account.id == 1 and resumed.session.csrf == outcome.csrf
    assert sessions.last_sign_in(1) == clock.now


@pytest.mark.parametrize("username, password", [("agent", "wrong password"), ("nobody", PASSWORD), ("", PASSWORD),
                                                ("retired", PASSWORD)])
def test_a_wrong_name_password_or_disabled_account_gets_the_same_answer_and_no_session(world, username, password):
    service, _, sessions, _ = world
    outcome = service.sign_in(username, password, "10.0.0.1")
    assert outcome == Refused(GENERIC_FAILURE, 401)
    assert sessions.sessions == {}


def test_a_legacy_hash_is_upgraded_at_the_first_sign_in_and_only_then(world):
    service, accounts, _, _ = world
    assert needs_rehash(accounts.get(3).password_hash)
    assert isinstance(service.sign_in("old", PASSWORD, "10.0.0.1"), SignedIn)
    stored = accounts.get(3).password_hash
    assert not needs_rehash(stored) and stored.startswith(f"scrypt${CURRENT_COST[0]}$")
    assert verify_password(stored, PASSWORD)
    assert isinstance(service.sign_in("old", PASSWORD, "10.0.0.1"), SignedIn)
    assert accounts.hash_writes == 1 and accounts.get(3).password_hash == stored


def test_a_wrong_password_never_upgrades_the_hash(world):
    service, accounts, _, _ = world
    before = accounts.get(3).password_hash
    service.sign_in("old", "not the password", "10.0.0.1")
    assert accounts.get(3).password_hash == before and accounts.hash_writes == 0


def test_an_account_name_is_locked_after_five_attempts_even_for_the_right_password(world):
    service, _, _, _ = world
    for _ in range(5):
        assert service.sign_in("agent", "guess", "10.0.0.9").status == 401
    locked = service.sign_in("agent", PASSWORD, "10.0.0.10")
    assert isinstance(locked, Refused) and locked.status == 429 and locked.retry_after and locked.retry_after > 0
    assert "locked" in locked.message


def test_a_session_ends_after_the_idle_time_and_after_the_absolute_time(world):
    service, _, sessions, clock = world
    idle = service.sign_in("agent", PASSWORD, "10.0.0.1")
    clock.now += 3601
    assert service.resume(idle.session_id) is None and sessions.sessions == {}
    kept = service.sign_in("agent", PASSWORD, "10.0.0.1")
    started = clock.now
    for _ in range(9):  # busy all shift (never idle an hour): 0.8 h steps up to 7.5 h still resume
        clock.now += 3000
        assert service.resume(kept.session_id) is not None
    clock.now += 3000  # 8.3 h after sign-in, 50 minutes after the last request
    assert clock.now - started > 8 * 3600
    assert service.resume(kept.session_id) is None


def test_the_last_seen_time_is_written_once_a_minute_not_per_request(world):
    service, _, sessions, clock = world
    signed = service.sign_in("agent", PASSWORD, "10.0.0.1")
    for _ in range(10):
        clock.now += 1
        service.resume(signed.session_id)
    assert sessions.touches == 0
    clock.now += TOUCH_EVERY_S
    service.resume(signed.session_id)
    assert sessions.touches == 1 and sessions.get(digest(signed.session_id)).last_seen_at == clock.now


@pytest.mark.parametrize("session_id", [None, 42, "", "short", "x" * 65])
def test_an_implausible_session_id_is_no_session_and_no_lookup(world, session_id):
    service, _, _, _ = world
    assert service.resume(session_id) is None


def test_signing_out_ends_that_session_and_everywhere_ends_them_all(world):
    service, _, sessions, _ = world
    first, second, third = (service.sign_in("agent", PASSWORD, "10.0.0.1") for _ in range(3))
    service.sign_out(first.session_id)
    assert service.resume(first.session_id) is None and service.resume(second.session_id) is not None
    assert service.sign_out_everywhere(1) == 2
    assert service.resume(third.session_id) is None


def test_a_disabled_account_loses_its_live_sessions_at_their_next_request(world):
    service, accounts, sessions, _ = world
    signed = service.sign_in("agent", PASSWORD, "10.0.0.1")
    accounts.by_id[1] = account(active=False)
    assert service.resume(signed.session_id) is None and sessions.count(1) == 0


def test_a_new_password_ends_every_other_session_and_the_old_password(world):
    service, accounts, _, _ = world
    here, elsewhere = service.sign_in("agent", PASSWORD, "10.0.0.1"), service.sign_in("agent", PASSWORD, "10.0.0.2")
    changed = service.change_password(here.session_id, PASSWORD, "a brand new password", "a brand new password",
                                      "10.0.0.1")
    assert isinstance(changed, SignedIn) and changed.session_id not in (here.session_id, elsewhere.session_id)
    assert service.resume(elsewhere.session_id) is None and service.resume(here.session_id) is None
    assert service.resume(changed.session_id) is not None
    assert service.sign_in("agent", PASSWORD, "10.0.0.1").status == 401
    assert isinstance(service.sign_in("agent", "a brand new password", "10.0.0.1"), SignedIn)


@pytest.mark.parametrize("current, new, confirm, field", [
    ("wrong", "a brand new password", "a brand new password", "current"),
    (PASSWORD, "short", "short", "new"),
    (PASSWORD, "a brand new password", "a different password", "confirm")])
def test_a_bad_password_change_names_its_field_and_changes_nothing(world, current, new, confirm, field):
    service, accounts, _, _ = world
    signed = service.sign_in("agent", PASSWORD, "10.0.0.1")
    before = accounts.get(1).password_hash
    errors = service.change_password(signed.session_id, current, new, confirm, "10.0.0.1")
    assert isinstance(errors, dict) and field in errors
    assert accounts.get(1).password_hash == before and service.resume(signed.session_id) is not None


def test_a_password_change_needs_a_live_session(world):
    service, _, _, _ = world
    outcome = service.change_password("x" * 40, PASSWORD, "a brand new password", "a brand new password", "10.0.0.1")
    assert isinstance(outcome, Refused) and outcome.status == 401
