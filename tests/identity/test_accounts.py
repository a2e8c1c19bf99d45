"""Accounts the identity service opens and changes itself, and password links (issue 28: staff and admin
accounts; password reset through the notifications service), at the use-case level over stores in
memory: what an admin may open and change, what ends sessions, who gets a link where, and that a link
sets one password once."""
from __future__ import annotations

import pytest

from foundation.login_throttle import LoginThrottle
from foundation.passwords import hash_password, verify_password
from fragments.identity.domain.accounts import Account, InvalidAccount, draft_from
from fragments.identity.domain.resets import token_key
from fragments.identity.domain.sessions import Lifetimes, digest
from fragments.identity.services.account_admin import AccountAdmin
from fragments.identity.services.password_reset import LinkSpent, PasswordReset
from fragments.identity.services.ports import StoreUnavailable
from fragments.identity.services.sign_in import Refused, SignedIn, SignIn

from ..support.memory_identity import (
    KnownPeople,
    MemoryDirectoryAccounts,
    MemoryLinks,
    MemorySessions,
    RightAway,
    SentMessages,
)

PASSWORD = "correct horse battery"
NEW = "a brand new secret 7"
CHEAP = (2**4, 8, 1)
URL = "https://sysops.example"


def held(account_id: int, username: str, role: str, *, customer_id=None, expert_id=None, active=True) -> Account:
    return Account(account_id, username, hash_password(PASSWORD, cost=CHEAP), role, username.title(), customer_id,
                   expert_id, active)


@pytest.fixture
def world():
    accounts = MemoryDirectoryAccounts(held(1, "agent", "call_centre"), held(2, "mia", "customer", customer_id=41),
                                       held(3, "fixer", "expert", expert_id=17))
    sessions, links, sent = MemorySessions(), MemoryLinks(), SentMessages()
    sign_in = SignIn(accounts, sessions, LoginThrottle(), Lifetimes())
    admin = AccountAdmin(accounts, sessions, links, KnownPeople({41, 42}, {17}), sent, URL)
    reset = PasswordReset(accounts, links, LoginThrottle(), sign_in, admin, RightAway())
    return admin, reset, sign_in, accounts, sessions, links, sent


def token_of(url: str) -> str:
    assert url.startswith(f"{URL}/account/reset/")
    return url.rsplit("/", 1)[1]


@pytest.mark.parametrize("form, wrong", [
    ({"username": "ab", "display_name": "A B", "role": "call_centre"}, {"username"}),
    ({"username": "Has Space", "display_name": "A B", "role": "call_centre"}, {"username"}),
    ({"username": "agent2", "display_name": "  ", "role": "call_centre"}, {"display_name"}),
    ({"username": "agent2", "display_name": "A\x00B", "role": "call_centre"}, {"display_name"}),
    ({"username": "agent2", "display_name": "A B", "role": "root"}, {"role"}),
    ({"username": "cust2", "display_name": "C", "role": "customer"}, {"customer_id"}),
    ({"username": "cust2", "display_name": "C", "role": "customer", "customer_id": "-4"}, {"customer_id"}),
    ({"username": "agent2", "display_name": "A", "role": "call_centre", "expert_id": "17"}, {"expert_id"}),
    ({"username": "exp2", "display_name": "E", "role": "expert", "customer_id": "41", "expert_id": "17"},
     {"customer_id"}),
])
def test_a_form_that_is_wrong_names_every_wrong_field(form, wrong):
    with pytest.raises(InvalidAccount) as refused:
        draft_from(form)
    assert set(refused.value.errors) == wrong


def test_a_form_is_read_as_a_person_would_mean_it():
    draft = draft_from({"username": " New.Agent ", "display_name": "  Ada   Lovelace ", "role": "customer",
                        "customer_id": " 42 "})
    assert (draft.username, draft.display_name, draft.customer_id, draft.expert_id) == ("new.agent", "Ada Lovelace", 42,
                                                                                        None)


def test_a_staff_account_is_opened_with_a_link_to_hand_over_and_no_password_anyone_knows(world):
    admin, reset, sign_in, accounts, _, links, sent = world
    made = admin.open({"username": "newagent", "display_name": "New Agent", "role": "call_centre"}, by="root")
    assert made.account.id > 10_000_000 and made.account.active and made.sent is None and sent.sent == []
    assert not verify_password(made.account.password_hash, "")  # nobody knows it: only the link sets one
    assert links.peek(token_key(token_of(made.url))) == made.account.id
    signed = reset.use(token_of(made.url), NEW, NEW, "10.0.0.9")
    assert isinstance(signed, SignedIn) and signed.account.username == "newagent"
    assert isinstance(sign_in.sign_in("newagent", NEW, "10.0.0.9"), SignedIn)


def test_a_customers_account_gets_its_link_at_their_address_and_the_admin_sees_it_too(world):
    admin, *_, sent = world
    made = admin.open({"username": "mia2", "display_name": "Mia Two", "role": "customer", "customer_id": "42"}, by="root")
    assert made.sent is True and sent.sent[0]["kind"] == "customer" and sent.sent[0]["id"] == 42
    assert made.url in sent.sent[0]["body"] and "24 hours" in sent.sent[0]["body"]
    sent.down = True
    again = admin.link_for(made.account)
    assert again.sent is False and again.url != made.url  # not sent now: the admin hands it over


def test_a_name_taken_or_a_link_to_nobody_is_refused_and_nothing_is_stored(world):
    admin, *_, accounts, _, links, _ = world
    before = dict(accounts.by_id)
    with pytest.raises(InvalidAccount) as taken:
        admin.open({"username": "agent", "display_name": "Again", "role": "call_centre"}, by="root")
    assert "username" in taken.value.errors
    with pytest.raises(InvalidAccount) as nobody:
        admin.open({"username": "ghost", "display_name": "Ghost", "role": "expert", "expert_id": "99"}, by="root")
    assert nobody.value.errors == {"expert_id": "there is no expert 99"}
    assert accounts.by_id == before and links.links == {}


def test_a_new_role_ends_the_accounts_sessions_and_a_new_name_does_not(world):
    admin, _, sign_in, _, sessions, _, _ = world
    signed = sign_in.sign_in("agent", PASSWORD, "10.0.0.1")
    admin.change(1, {"display_name": "Agent Renamed", "role": "call_centre"}, by="root")
    assert sign_in.resume(signed.session_id).account.display_name == "Agent Renamed"
    changed = admin.change(1, {"display_name": "Agent Renamed", "role": "manager"}, by="root")
    assert changed.role == "manager" and sign_in.resume(signed.session_id) is None
    assert sign_in.sign_in("agent", PASSWORD, "10.0.0.1").account.role == "manager"


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(world):
    admin, _, sign_in, *_ = world
    signed = sign_in.sign_in("agent", PASSWORD, "10.0.0.1")
    admin.set_active(1, False, by="root")
    assert sign_in.resume(signed.session_id) is None
    assert isinstance(sign_in.sign_in("agent", PASSWORD, "10.0.0.1"), Refused)
    admin.set_active(1, True, by="root")
    assert isinstance(sign_in.sign_in("agent", PASSWORD, "10.0.0.1"), SignedIn)


def test_a_link_sets_one_password_once_and_ends_every_other_session(world):
    admin, reset, sign_in, accounts, sessions, _, _ = world
    thief = sign_in.sign_in("agent", PASSWORD, "10.6.6.6")
    token = token_of(admin.link_for(accounts.get(1)).url)
    assert reset.use(token, "short", "short", "10.0.0.1") == {"new": "Choose a password of at least 10 characters."}
    assert reset.holder(token) is not None  # a wrong form does not spend the link
    signed = reset.use(token, NEW, NEW, "10.0.0.1")
    assert isinstance(signed, SignedIn) and digest(signed.session_id) in sessions.sessions
    assert sign_in.resume(thief.session_id) is None
    assert isinstance(reset.use(token, "another one 123", "another one 123", "10.0.0.1"), LinkSpent)
    assert isinstance(sign_in.sign_in("agent", NEW, "10.0.0.1"), SignedIn)


def test_an_expired_unknown_or_malformed_link_changes_nothing(world):
    admin, reset, _, accounts, _, links, _ = world
    token = token_of(admin.link_for(accounts.get(1)).url)
    links.expire_all()
    before = accounts.get(1).password_hash
    for link in (token, "x" * 43, "", None, "../../etc", "é" * 30):
        assert isinstance(reset.use(link, NEW, NEW, "10.0.0.1"), LinkSpent)
    assert accounts.get(1).password_hash == before


def test_a_link_for_an_account_disabled_since_is_spent(world):
    admin, reset, _, accounts, *_ = world
    token = token_of(admin.link_for(accounts.get(1)).url)
    admin.set_active(1, False, by="root")
    assert isinstance(reset.use(token, NEW, NEW, "10.0.0.1"), LinkSpent)


def test_asking_for_a_link_answers_the_same_for_anyone_and_sends_only_to_customers_and_experts(world):
    _, reset, _, _, _, links, sent = world
    for name in ("mia", "fixer", "agent", "nobody", ""):
        assert reset.ask(name, "10.0.0.1") is None
    assert [(m["kind"], m["id"]) for m in sent.sent] == [("customer", 41), ("expert", 17)]
    assert len(links.links) == 2  # staff get theirs from an admin


def test_asking_again_and_again_is_throttled_per_address():
    accounts, links, sent = MemoryDirectoryAccounts(held(2, "mia", "customer", customer_id=41)), MemoryLinks(), SentMessages()
    sign_in = SignIn(accounts, MemorySessions(), LoginThrottle(), Lifetimes())
    admin = AccountAdmin(accounts, MemorySessions(), links, KnownPeople({41}, set()), sent, URL)
    reset = PasswordReset(accounts, links, LoginThrottle(), sign_in, admin, RightAway())
    answers = [reset.ask("mia", "10.9.9.9") for _ in range(40)]
    assert any(isinstance(a, Refused) and a.status == 429 for a in answers)
    assert len(sent.sent) < 40


def test_an_admin_cannot_disable_their_own_account_or_change_their_own_role(world):
    admin, _, sign_in, accounts, *_ = world
    boss = admin.open({"username": "boss", "display_name": "The Boss", "role": "admin"}, by="root").account
    with pytest.raises(InvalidAccount) as disabling:
        admin.set_active(boss.id, False, by="boss")
    assert "own account" in disabling.value.errors["active"]
    with pytest.raises(InvalidAccount) as demoting:
        admin.change(boss.id, {"display_name": "The Boss", "role": "call_centre"}, by="boss")
    assert "own role" in demoting.value.errors["role"]
    assert accounts.get(boss.id).active and accounts.get(boss.id).role == "admin"
    assert admin.change(boss.id, {"display_name": "Big Boss", "role": "admin"}, by="boss").display_name == "Big Boss"
    assert admin.set_active(boss.id, False, by="root").active is False  # another admin may


def test_a_link_asked_for_while_the_store_is_away_gets_the_same_answer_and_the_failure_is_logged(world, caplog,
                                                                                                    monkeypatch):
    _, reset, _, accounts, *_, sent = world

    def away(username):
        raise StoreUnavailable("the graph is failing over")

    monkeypatch.setattr(accounts, "named", away)
    assert reset.ask("mia", "10.0.0.1") is None  # the asker's answer does not depend on it
    assert sent.sent == [] and "a password link asked for was not sent" in caplog.text
