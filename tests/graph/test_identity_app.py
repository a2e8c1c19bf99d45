"""The identity service's app in-process over the real graph, the FalkorDB server's key space and the real
monolith's bridge (served): the sign-in page and its anti-forgery check, cookies, session fixation, the
throttle, sign-out, the password page, the front door's permission check with its one-fragment token,
and the token exchange at its new issuer. Each test signs in legacy accounts it made itself."""
from __future__ import annotations

import re
import uuid

import pytest

from foundation.exchange import AUDIENCE, GRANT_TYPE, JWT_TYPE
from foundation.keys import public_file
from foundation.login_throttle import LoginThrottle
from foundation.passwords import needs_rehash
from foundation.tokens import Principal, TokenError, TokenVerifier, csrf_digest
from fragments.identity.adapters.accounts import GraphAccounts
from fragments.identity.adapters.links import KeyspaceLinks
from fragments.identity.adapters.sessions import KeyspaceSessions
from fragments.identity.app import create_app
from fragments.identity.domain.sessions import Lifetimes
from fragments.identity.entrypoints.cookies import LOGIN_CSRF, SESSION
from fragments.identity.wiring import Reach, build
from graph_store.backends.falkordb_backend import FalkorBackend

from ..support.keys import KEYS_DIR, mint, signer
from ..support.memory_identity import KnownPeople, RightAway, SentMessages
from .conftest import bridge_client, fresh_backend
from .identity_support import PASSWORD, legacy_account, legacy_row


@pytest.fixture
def backend(request):
    yield from fresh_backend(request, "falkordb")


@pytest.fixture
def app(backend, live_bridge):
    assert isinstance(backend, FalkorBackend)
    bridge = bridge_client(live_bridge, "identity")
    reach = Reach(KeyspaceLinks(backend.keyspace()), KnownPeople({41}, {17}), SentMessages(), "http://front.example",
                  RightAway())
    identity = build(GraphAccounts(backend, bridge), KeyspaceSessions(backend.keyspace()), LoginThrottle(),
                     Lifetimes(), signer("identity"), public_file(KEYS_DIR), frozenset({"ticketing", "experts", "identity"}),
                     reach)
    yield create_app({"TESTING": True, "KEYS_DIR": str(KEYS_DIR)}, identity=identity)
    bridge.close()


def login_form(client, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    data = {"username": username, "password": password, "csrf_token": login_form(client)}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def session_cookie(client):
    return client.get_cookie(SESSION)


def page_csrf(client) -> str:
    html = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_signing_in_sets_a_session_cookie_only_scripts_cannot_read_and_goes_where_it_was_asked(app, legacy_url):
    made = legacy_account(legacy_url)
    client = app.test_client()
    answer = sign_in(client, made.username, next_url="/customers/4")
    assert answer.status_code == 302 and answer.headers["Location"] == "/customers/4"
    cookie = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith(f"{SESSION}=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert client.get_cookie(LOGIN_CSRF) is None  # the sign-in form's token is spent
    assert client.get("/account/password").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/ok\r\nSet-Cookie: x=1", "\\\\evil"])
def test_next_never_sends_anyone_to_another_site(app, legacy_url, target):
    made = legacy_account(legacy_url)
    answer = sign_in(app.test_client(), made.username, next_url=target)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_a_sign_in_not_sent_by_our_form_is_refused_and_starts_nothing(app, legacy_url):
    made = legacy_account(legacy_url)
    client = app.test_client()
    login_form(client)
    for token in ("", "forged-token-of-the-right-length-000"):
        answer = client.post("/login", data={"username": made.username, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 400 and "expired" in answer.get_data(as_text=True)
    assert session_cookie(client) is None


def test_a_wrong_password_and_an_unknown_name_read_the_same_and_the_name_comes_back_escaped(app, legacy_url):
    made = legacy_account(legacy_url)
    wrong = sign_in(app.test_client(), made.username, "not-the-password")
    unknown = sign_in(app.test_client(), "<script>alert(1)</script>")
    assert wrong.status_code == unknown.status_code == 401
    assert "Invalid username or password." in wrong.get_data(as_text=True)
    body = unknown.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_a_legacy_hash_is_upgraded_at_the_first_sign_in_and_the_monolith_row_is_frozen(app, backend, legacy_url):
    made = legacy_account(legacy_url)
    assert needs_rehash(made.password_hash)
    assert sign_in(app.test_client(), made.username).status_code == 302
    stored = backend.read("MATCH (a:Account {id: $id}) RETURN a.password_hash AS h", {"id": made.id})[0]["h"]
    assert not needs_rehash(stored)
    legacy = legacy_row(legacy_url, made.id)
    assert legacy.frozen_at is not None and legacy.password_hash == made.password_hash
    assert sign_in(app.test_client(), made.username).status_code == 302  # and it still signs in


def test_a_session_planted_before_sign_in_is_worth_nothing_after_it(app, legacy_url):
    attacker, victim = legacy_account(legacy_url), legacy_account(legacy_url)
    theirs = app.test_client()
    sign_in(theirs, attacker.username)
    planted = session_cookie(theirs).value
    browser = app.test_client()
    browser.set_cookie(SESSION, planted)
    sign_in(browser, victim.username)
    assert session_cookie(browser).value != planted
    assert theirs.get("/account/password").status_code == 302  # the planted session ended


def test_an_account_name_is_locked_after_five_attempts_with_a_time_to_wait(app, legacy_url):
    made = legacy_account(legacy_url)
    for _ in range(5):
        assert sign_in(app.test_client(), made.username, "guess").status_code == 401
    locked = sign_in(app.test_client(), made.username)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "locked" in locked.get_data(as_text=True)


def test_a_disabled_account_cannot_sign_in(app, legacy_url):
    made = legacy_account(legacy_url, active=False)
    assert sign_in(app.test_client(), made.username).status_code == 401


def test_signing_out_needs_the_pages_token_and_then_ends_the_session(app, legacy_url):
    made = legacy_account(legacy_url)
    client = app.test_client()
    sign_in(client, made.username)
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 400
    assert client.get("/account/password").status_code == 200  # still signed in
    kept = session_cookie(client).value
    out = client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert out.status_code == 302 and out.headers["Clear-Site-Data"] == '"cache"'
    assert session_cookie(client) is None
    replay = app.test_client()
    replay.set_cookie(SESSION, kept)
    assert replay.get("/account/password").status_code == 302  # a copied cookie is dead too


def test_a_new_password_ends_the_other_browsers_session_and_keeps_this_one(app, legacy_url):
    made = legacy_account(legacy_url)
    here, there = app.test_client(), app.test_client()
    sign_in(here, made.username)
    sign_in(there, made.username)
    bad = here.post("/account/password", data={"csrf_token": page_csrf(here), "current": PASSWORD, "new": "short",
                                               "confirm": "short"})
    assert bad.status_code == 422 and "at least 10 characters" in bad.get_data(as_text=True)
    changed = here.post("/account/password", data={"csrf_token": page_csrf(here), "current": PASSWORD,
                                                   "new": "a new password 2", "confirm": "a new password 2"})
    assert changed.status_code == 302 and "changed=1" in changed.headers["Location"]
    assert here.get("/account/password").status_code == 200
    assert there.get("/account/password").status_code == 302
    assert sign_in(app.test_client(), made.username).status_code == 401
    assert sign_in(app.test_client(), made.username, "a new password 2").status_code == 302


def test_the_front_doors_check_answers_a_token_for_that_fragment_alone(app, legacy_url):
    made = legacy_account(legacy_url, role="expert", expert_id=5)
    client = app.test_client()
    assert client.get("/auth/fragment/experts").status_code == 401
    sign_in(client, made.username)
    answer = client.get("/auth/fragment/experts")
    assert answer.status_code == 204 and answer.headers["Cache-Control"] == "no-store"
    token, csrf = answer.headers["X-Fragment-Token"], answer.headers["X-Shell-CSRF"]
    principal = TokenVerifier.for_audience(KEYS_DIR, "fragment:experts").verify(token)
    assert (principal.subject, principal.role, principal.expert_id) == (made.username, "expert", 5)
    assert principal.csrf_digest == csrf_digest(csrf)
    with pytest.raises(TokenError):
        TokenVerifier.for_audience(KEYS_DIR, "fragment:ticketing").verify(token)
    assert client.get("/auth/fragment/experts").headers["X-Fragment-Token"] == token  # kept half its life
    assert client.get("/auth/fragment/billing").status_code == 404


def test_the_check_of_a_state_change_needs_the_sessions_csrf_token(app, legacy_url):
    made = legacy_account(legacy_url)
    client = app.test_client()
    sign_in(client, made.username)
    csrf = client.get("/auth/fragment/ticketing").headers["X-Shell-CSRF"]
    unsafe = {"X-Original-Method": "POST"}
    assert client.get("/auth/fragment/ticketing", headers=unsafe).status_code == 403
    assert client.get("/auth/fragment/ticketing", headers={**unsafe, "X-CSRF-Token": "nope"}).status_code == 403
    assert client.get("/auth/fragment/ticketing", headers={**unsafe, "X-CSRF-Token": csrf}).status_code == 204


def test_an_experts_token_from_here_is_traded_here_for_one_meant_for_ticketing(app, legacy_url):
    expert, staff = legacy_account(legacy_url, role="expert", expert_id=6), legacy_account(legacy_url)
    actor = mint(Principal("service", "experts"), AUDIENCE, ttl=60)
    for made, status in ((expert, 200), (staff, 400)):
        client = app.test_client()
        sign_in(client, made.username)
        subject = client.get("/auth/fragment/experts").headers["X-Fragment-Token"]
        answer = app.test_client().post("/tokens/v1/exchange", data={
            "grant_type": GRANT_TYPE, "subject_token": subject, "subject_token_type": JWT_TYPE, "actor_token": actor,
            "actor_token_type": JWT_TYPE, "audience": "fragment:ticketing"})
        assert answer.status_code == status, answer.get_data(as_text=True)
        if status == 200:
            traded = TokenVerifier.for_audience(KEYS_DIR, "fragment:ticketing").verify(answer.get_json()["access_token"])
            assert traded.subject == made.username and traded.role == "expert"
        else:
            assert answer.get_json()["error"] == "invalid_target"


def test_a_body_over_the_limit_is_refused_before_anything_is_read(app):
    answer = app.test_client().post("/login", data={"username": "x" * (300 * 1024), "password": "y"})
    assert answer.status_code == 413


class Admin:
    """An admin signed in here, calling the accounts pages as the front door does: the page's fragment
    token and the session's CSRF token."""

    def __init__(self, app, legacy_url):
        self.client = app.test_client()
        self.account = legacy_account(legacy_url, role="admin")
        sign_in(self.client, self.account.username)
        check = self.client.get("/auth/fragment/identity")
        self.csrf = check.headers["X-Shell-CSRF"]
        self.headers = {"Authorization": f"Bearer {check.headers['X-Fragment-Token']}", "X-Shell-CSRF": self.csrf}
        self.anonymous = app.test_client()

    def get(self, path: str):
        return self.anonymous.get(path, headers=self.headers)

    def post(self, path: str, data: dict, csrf: str | None = None):
        return self.anonymous.post(path, headers=self.headers, data={"csrf_token": csrf or self.csrf, **data})


def test_an_admin_opens_an_account_and_its_person_sets_a_password_through_the_link(app, legacy_url):
    admin = Admin(app, legacy_url)
    assert "Open an account" in admin.get("/admin/accounts/new").get_data(as_text=True)
    wrong = admin.post("/admin/accounts/new", {"username": "x", "display_name": "", "role": "customer"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and html.count('class="id-error"') == 3 and 'value="x"' in html
    name = f"opened-{uuid.uuid4().hex[:8]}"
    opened = admin.post("/admin/accounts/new", {"username": name, "display_name": "Olga <b>Opened</b>",
                                                "role": "call_centre"})
    page = opened.get_data(as_text=True)
    assert opened.status_code == 200 and "Olga &lt;b&gt;Opened&lt;/b&gt;" in page
    link = re.search(r'value="(http://front\.example/account/reset/[^"]+)"', page).group(1)
    path = link.removeprefix("http://front.example")
    person = app.test_client()
    form = person.get(path)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    assert person.post(path, data={"new": "my own secret 1", "confirm": "my own secret 1"}).status_code == 400  # forged
    done = person.post(path, data={"csrf_token": token, "new": "my own secret 1", "confirm": "my own secret 1"})
    assert done.status_code == 302 and session_cookie(person) is not None
    assert person.get(path).status_code == 410  # used
    assert sign_in(app.test_client(), name, "my own secret 1").status_code == 302


def test_an_admin_changes_a_role_and_disables_an_account_and_its_sessions_end(app, legacy_url):
    admin = Admin(app, legacy_url)
    made = legacy_account(legacy_url)
    person = app.test_client()
    sign_in(person, made.username)
    assert person.get("/auth/fragment/ticketing").status_code == 204
    page = admin.get(f"/admin/accounts/{made.id}")  # taken over at its first sign-in: held here
    assert page.status_code == 200 and made.username in page.get_data(as_text=True)
    bad = admin.post(f"/admin/accounts/{made.id}", {"display_name": "Test Person", "role": "expert"})
    assert bad.status_code == 422 and "expert_id" in bad.get_data(as_text=True)
    saved = admin.post(f"/admin/accounts/{made.id}", {"display_name": "Test Person", "role": "manager"})
    assert saved.status_code == 200 and "signs in again" in saved.get_data(as_text=True)
    assert person.get("/auth/fragment/ticketing").status_code == 401
    sign_in(person, made.username)
    off = admin.post(f"/admin/accounts/{made.id}/active", {"active": "no"})
    assert off.status_code == 200 and "Disabled" in off.get_data(as_text=True)
    assert person.get("/auth/fragment/ticketing").status_code == 401
    assert sign_in(app.test_client(), made.username).status_code == 401
    assert admin.post(f"/admin/accounts/{made.id}/active", {"active": "yes"}, csrf="forged").status_code == 400
    assert admin.post("/admin/accounts/987654321/active", {"active": "yes"}).status_code == 404
    own = admin.post(f"/admin/accounts/{admin.account.id}/active", {"active": "no"})
    assert own.status_code == 409 and "your own account" in own.get_data(as_text=True)


def test_the_accounts_pages_are_for_admins_only(app, legacy_url):
    staff = app.test_client()
    sign_in(staff, legacy_account(legacy_url).username)
    check = staff.get("/auth/fragment/identity")
    headers = {"Authorization": f"Bearer {check.headers['X-Fragment-Token']}"}
    for path in ("/admin/accounts", "/admin/accounts/new", "/admin/accounts/1"):
        assert app.test_client().get(path, headers=headers).status_code == 403
        assert app.test_client().get(path).status_code == 401


def test_asking_for_a_link_answers_the_same_for_any_name(app, legacy_url):
    client = app.test_client()
    form = client.get("/account/reset")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    answers = [client.post("/account/reset", data={"csrf_token": token, "username": name})
               for name in (legacy_account(legacy_url).username, "nobody-at-all")]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].get_data(as_text=True) == answers[1].get_data(as_text=True)
    assert client.post("/account/reset", data={"username": "x"}).status_code == 400
    assert app.test_client().get("/account/reset/" + "z" * 43).status_code == 410
