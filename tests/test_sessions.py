"""Sessions that end: server-side records behind the cookie (shell_app/login_sessions.py)."""
from __future__ import annotations

import datetime as dt
import re

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import delete, select, update

from foundation.passwords import hash_password
from shell_app.models import LoginSession, UserAccount
from sysops.wsgi import monolith

from .conftest import Auth, csrf_from
from .support.keys import KEYS_DIR


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A new browser (an attacker) sending a copied cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, auth):
    auth.login("manager")
    copied = _cookie(client)
    assert _replay(app, copied).get("/tickets").status_code == 200
    auth.logout()
    stale = _replay(app, copied)
    assert stale.get("/tickets").status_code == 302
    assert stale.get("/auth/token").status_code == 302  # nor a fresh bridge token


def test_the_session_id_changes_at_login_and_a_planted_cookie_gains_nothing(app, client, auth):
    client.get("/login")
    planted = _cookie(client)
    auth.login("callcentre")
    assert _cookie(client) != planted
    assert _replay(app, planted).get("/tickets").status_code == 302


def test_idle_and_absolute_time_outs(app, client, auth, db):
    auth.login("callcentre")
    assert client.get("/tickets").status_code == 200
    lifetimes = app.extensions["session_lifetimes"]
    account = db.scalar(select(UserAccount).where(UserAccount.username == "callcentre"))
    now = dt.datetime.now()
    # Idle: the last request was longer ago than the idle time-out.
    db.execute(update(LoginSession).where(LoginSession.account_id == account.id)
               .values(last_seen_at=now - lifetimes.idle - dt.timedelta(seconds=5)))
    db.commit()
    assert client.get("/tickets").status_code == 302
    # Absolute: busy all along, but signed in longer ago than the absolute time-out.
    auth.login("callcentre")
    db.execute(update(LoginSession).where(LoginSession.account_id == account.id)
               .values(created_at=now - lifetimes.absolute - dt.timedelta(seconds=5), last_seen_at=now))
    db.commit()
    assert client.get("/tickets").status_code == 302
    assert db.scalar(select(LoginSession).where(LoginSession.account_id == account.id)) is None


def test_a_forged_cookie_with_an_account_in_it_is_nobody(app):
    """What the old cookie-only session allowed with the key: {"account_id": 4, "role": "admin"}.
    Even signed with the real session key, such a cookie names no server-side session."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"account_id": 4, "role": "admin", "sid": "made-up-session-id-000000000"})
    intruder = _replay(app, forged)
    assert intruder.get("/experts").status_code == 302


def test_an_admin_signs_an_account_out_everywhere(app, client, auth, db):
    auth.login("expert1")
    customer = db.scalar(select(UserAccount).where(UserAccount.username == "customer1"))
    db.execute(delete(LoginSession).where(LoginSession.account_id == customer.id))  # earlier tests' sign-ins
    db.commit()
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        Auth(browser).login("customer1")
        assert browser.get("/my").status_code == 200
    admin = Auth(client)
    admin.login("admin")
    page = client.get("/admin/accounts?q=customer1").get_data(as_text=True)
    assert "2 sessions" in page
    account_id = app.extensions["db_sessions"]().scalar(
        select(UserAccount.id).where(UserAccount.username == "customer1"))
    answer = client.post(f"/admin/accounts/{account_id}/sign-out", data={"csrf_token": csrf_from(page), "q": "customer1"})
    assert answer.status_code == 302
    assert "customer1 is signed out everywhere" in client.get(answer.headers["Location"]).get_data(as_text=True)
    for browser in (phone, laptop):
        assert browser.get("/my").status_code == 302
    assert client.get("/admin/accounts").status_code == 200  # the admin's own session is untouched


def test_a_password_change_ends_every_other_session(app, client, auth, db):
    auth.login("callcentre2")
    other = app.test_client()
    Auth(other).login("callcentre2")
    page = client.get("/account/password").get_data(as_text=True)
    token = csrf_from(page)
    wrong = client.post("/account/password", data={"csrf_token": token, "current": "nope", "new": "a-new-password",
                                                    "confirm": "a-new-password"})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    short = client.post("/account/password", data={"csrf_token": token, "current": "sysops-demo", "new": "short",
                                                    "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    try:
        done = client.post("/account/password", data={"csrf_token": token, "current": "sysops-demo",
                                                       "new": "a-new-password", "confirm": "a-new-password"})
        assert done.status_code == 302
        assert "Your password is changed" in client.get(done.headers["Location"]).get_data(as_text=True)
        assert other.get("/tickets").status_code == 302  # the other browser is signed out
        assert client.get("/tickets").status_code == 200  # this one carries on, with a new session
        assert Auth(app.test_client()).login("callcentre2", "a-new-password").status_code == 302
    finally:
        db.execute(update(UserAccount).where(UserAccount.username == "callcentre2")
                   .values(password_hash=hash_password("sysops-demo")))
        db.commit()


def test_cookies_are_http_only_same_site_and_pages_are_not_stored(app, client, auth):
    response = auth.login("callcentre")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/tickets").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/token").headers["Cache-Control"] == "no-store"
    page = client.get("/tickets").get_data(as_text=True)
    css = re.search(r'href="(/static/shell/legacy\.css\?v=[0-9a-f]{12})"', page).group(1)
    assert re.search(r'src="/static/vendor/htmx-[\d.]+\.min\.js\?v=[0-9a-f]{12}"', page)
    asset = client.get(css)  # named by its content: browsers keep it, a changed file is a new URL
    asset.close()
    assert "no-store" not in asset.headers["Cache-Control"] and "max-age=31536000" in asset.headers["Cache-Control"]


def test_the_secure_flag_is_set_when_served_over_https(seeded_url):
    app = monolith({"TESTING": True, "SECRET_KEY": "k", "KEYS_DIR": KEYS_DIR, "DATABASE_URL": seeded_url,
                    "SESSION_COOKIE_SECURE": True})
    try:
        response = Auth(app.test_client()).login("callcentre")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["db_engine"].dispose()
