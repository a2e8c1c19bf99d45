"""The identity service's stores for real: accounts in the graph, taken over from the monolith (over its
bridge, served) at their first sign-in there, on both graph backends; sessions in the FalkorDB server's key
space with their time to live."""
from __future__ import annotations

import secrets
import threading

import pytest
import redis

from foundation.passwords import CURRENT_COST, hash_password
from fragments.identity.adapters.accounts import NEW_ID_BASE, GraphAccounts
from fragments.identity.adapters.links import PREFIX as LINK_PREFIX
from fragments.identity.adapters.links import KeyspaceLinks
from fragments.identity.adapters.sessions import PREFIX, KeyspaceSessions
from fragments.identity.domain.accounts import AccountDraft
from fragments.identity.domain.sessions import Lifetimes, Session
from fragments.identity.services.ports import NameTaken, StoreUnavailable
from graph_store.backends.falkordb_backend import FalkorBackend

from .conftest import bridge_client
from .identity_support import legacy_account, legacy_row


@pytest.fixture
def accounts(graph_backend, live_bridge):
    bridge = bridge_client(live_bridge, "identity")
    yield GraphAccounts(graph_backend, bridge)
    bridge.close()


def test_an_account_is_taken_over_at_its_first_use_with_its_hash_as_it_is(accounts, graph_backend, legacy_url):
    made = legacy_account(legacy_url, role="expert", expert_id=3)
    account = accounts.named(made.username)
    assert account is not None and (account.id, account.role, account.expert_id, account.active) == (
        made.id, "expert", 3, True)
    assert account.password_hash == made.password_hash and account.customer_id is None
    node = graph_backend.read("MATCH (a:Account {id: $id}) RETURN properties(a) AS a", {"id": made.id})[0]["a"]
    assert node["source"] == "legacy" and node["migrated_via"] == "sign-in" and node["version"] == 1
    legacy = legacy_row(legacy_url, made.id)
    assert legacy.frozen_at is not None and legacy.migrated_at is not None
    assert accounts.get(made.id) == account and accounts.named(made.username) == account


def test_a_name_the_monolith_does_not_know_is_no_account(accounts):
    assert accounts.named(f"nobody-{secrets.token_hex(4)}") is None


def test_concurrent_first_sign_ins_take_one_copy(accounts, graph_backend, legacy_url):
    made = legacy_account(legacy_url)
    found, errors = [], []

    def first_use():
        try:
            found.append(accounts.named(made.username))
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(found) == 6 and len(set(found)) == 1
    assert graph_backend.read("MATCH (a:Account {id: $id}) RETURN count(a) AS n", {"id": made.id})[0]["n"] == 1


def test_a_new_hash_moves_the_version_on_and_keeps_everything_else(accounts, graph_backend, legacy_url):
    made = legacy_account(legacy_url)
    before = accounts.named(made.username)
    upgraded = hash_password("identity-test-password", cost=CURRENT_COST)
    accounts.set_password_hash(made.id, upgraded)
    after = accounts.get(made.id)
    assert after.password_hash == upgraded and after.username == before.username and after.role == before.role
    assert graph_backend.read("MATCH (a:Account {id: $id}) RETURN a.version AS v", {"id": made.id})[0]["v"] == 2


def test_with_the_monolith_away_a_held_account_still_signs_in_and_a_name_not_held_is_unknown(
        graph_backend, live_bridge, legacy_url):
    held, waiting = legacy_account(legacy_url), legacy_account(legacy_url)
    up = bridge_client(live_bridge, "identity")
    GraphAccounts(graph_backend, up).named(held.username)
    up.close()
    down = bridge_client("http://127.0.0.1:9", "identity")
    away = GraphAccounts(graph_backend, down)
    assert away.named(held.username).id == held.id
    assert away.named(waiting.username) is None  # as a name nobody has: no other answer tells them apart
    down.close()


@pytest.fixture
def sessions(falkor_server):
    backend = FalkorBackend(graph="identity-sessions", unix_socket_path=str(falkor_server.socket_path))
    yield KeyspaceSessions(backend.keyspace())
    backend.close()


def _key() -> str:
    return secrets.token_hex(32)


def _account() -> int:
    return 10**6 + secrets.randbelow(10**6)


LIFETIMES = Lifetimes(idle_s=600, absolute_s=3600)


def test_a_session_is_kept_by_its_key_until_its_idle_time(sessions):
    key, account_id = _key(), _account()
    session = Session(account_id, 1000.0, 1000.0, "csrf-token", "10.1.2.3")
    sessions.start(key, session, LIFETIMES)
    assert sessions.get(key) == session
    ttl = sessions.client.pttl(PREFIX + key)
    assert 0 < ttl <= 600_000  # the idle time from its start (the clock here is the test's)
    assert sessions.get(_key()) is None


def test_a_touch_moves_a_live_session_on_and_never_brings_an_ended_one_back(sessions):
    key, account_id = _key(), _account()
    session = Session(account_id, 1000.0, 1000.0, "csrf", "here")
    sessions.start(key, session, LIFETIMES)
    sessions.touch(key, session, 1300.0, LIFETIMES)
    assert sessions.get(key).last_seen_at == 1300.0
    sessions.end(key)
    sessions.touch(key, session, 1400.0, LIFETIMES)
    assert sessions.get(key) is None and not sessions.client.exists(PREFIX + key)


def test_everywhere_ends_every_session_of_the_account_and_no_other(sessions):
    account_id, other = _account(), _account()
    mine = [_key() for _ in range(3)]
    theirs = _key()
    for key in mine:
        sessions.start(key, Session(account_id, 1000.0, 1000.0, "c", "x"), LIFETIMES)
    sessions.start(theirs, Session(other, 1000.0, 1000.0, "c", "x"), LIFETIMES)
    sessions.end(mine[0])
    assert sessions.count(account_id) == 2
    assert sessions.end_all(account_id) == 2
    assert all(sessions.get(key) is None for key in mine) and sessions.get(theirs) is not None
    assert sessions.count(account_id) == 0


def test_the_last_sign_in_is_kept_per_account(sessions):
    account_id = _account()
    assert sessions.last_sign_in(account_id) is None
    sessions.signed_in(account_id, 1234.5)
    assert sessions.last_sign_in(account_id) == 1234.5


def test_sessions_say_unavailable_when_the_server_is_away(tmp_path):
    away = KeyspaceSessions(redis.Redis(unix_socket_path=str(tmp_path / "none.sock"), socket_timeout=0.5))
    with pytest.raises(StoreUnavailable):
        away.get(_key())


def _draft(username: str, role: str = "call_centre", **links) -> AccountDraft:
    return AccountDraft(username, f"Person {username}", role, links.get("customer_id"), links.get("expert_id"))


def test_an_opened_account_gets_an_id_above_every_legacy_one_and_its_name_only_once(accounts, graph_backend, legacy_url):
    legacy = legacy_account(legacy_url)
    with pytest.raises(NameTaken):  # the monolith's, not yet copied here: the name is taken all the same
        accounts.create(_draft(legacy.username), "hash", "root")
    name = f"opened-{secrets.token_hex(4)}"
    made: list = []
    refused: list = []

    def open_it() -> None:
        try:
            made.append(accounts.create(_draft(name), "hash", "root"))
        except NameTaken:
            refused.append(name)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and len(refused) == 5
    account = made[0]
    assert account.id > NEW_ID_BASE and account.active and account.customer_id is None
    assert accounts.named(name) == account
    second = accounts.create(_draft(f"{name}-b", "customer", customer_id=41), "hash", "root")
    assert second.id == account.id + 1 and second.customer_id == 41
    row = graph_backend.read("MATCH (a:Account {id: $id}) RETURN a.source AS source, a.version AS version, "
                             "a.legacy_version AS legacy", {"id": second.id})[0]
    assert row == {"source": "new", "version": 1, "legacy": 0}  # behind its legacy row: written back on a rollback


def test_a_change_moves_the_version_on_and_an_emptied_link_is_gone(accounts, graph_backend):
    made = accounts.create(_draft(f"linked-{secrets.token_hex(4)}", "customer", customer_id=41), "hash", "root")
    changed = accounts.update(made.id, _draft(made.username, "call_centre"), "root")
    assert changed.role == "call_centre" and changed.customer_id is None
    row = graph_backend.read("MATCH (a:Account {id: $id}) RETURN a.customer_id AS c, a.version AS v, "
                             "a.updated_by AS by", {"id": made.id})[0]
    assert row == {"c": None, "v": 2, "by": "root"}
    assert accounts.set_active(made.id, False, "root").active is False
    assert accounts.update(987654321, _draft("nobody"), "root") is None


@pytest.fixture
def links(falkor_server):
    backend = FalkorBackend(graph="identity-links", unix_socket_path=str(falkor_server.socket_path))
    yield KeyspaceLinks(backend.keyspace()), backend.keyspace()
    backend.close()


def test_a_password_link_lives_its_time_and_is_taken_once(links):
    store, client = links
    key = _key()
    store.issue(key, 77, 60)
    assert store.peek(key) == 77 and 0 < client.ttl(LINK_PREFIX + key) <= 60
    takers: list = []
    threads = [threading.Thread(target=lambda: takers.append(store.take(key))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert takers.count(77) == 1 and takers.count(None) == 5
    assert store.peek(key) is None and store.take(key) is None
