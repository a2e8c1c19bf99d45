"""Login, logout, sessions and CSRF on the monolith."""
from __future__ import annotations

from sqlalchemy import select

from foundation.passwords import (
    CURRENT_COST,
    DEMO_COST,
    hash_password,
    needs_rehash,
    verify_password,
)
from shell_app.models import UserAccount

from .conftest import csrf_from

GENERIC = "Invalid username or password."


def test_staff_login_lands_on_the_start_page(client, auth):
    response = auth.login("callcentre")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Casey Call-Centre" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth):
    wrong = auth.login("callcentre", "not-the-password")
    unknown = auth.login("nobody-by-this-name", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert GENERIC in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out


def test_login_keeps_the_page_asked_for_but_never_another_site(app):
    for target, expected in (("/customers/1", "/customers/1"), ("https://evil.example/", "/"),
                             ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("", "/")):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"username": "callcentre", "password": "sysops-demo",
                                               "next": target, "csrf_token": csrf_from(page)})
        assert response.headers["Location"] == expected, target


def test_logout_ends_the_session(client, auth):
    auth.login("manager")
    assert client.get("/tickets").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/tickets").status_code == 302


def test_post_without_csrf_token_is_refused_with_a_clear_message(client, auth):
    auth.login("callcentre")
    response = client.post("/tickets/1/notes", data={"note": "hello"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    forged = client.post("/tickets/1/notes", data={"note": "hello", "csrf_token": "forged"})
    assert forged.status_code == 400


def test_login_form_itself_needs_the_csrf_token(client):
    response = client.post("/login", data={"username": "callcentre", "password": "sysops-demo"})
    assert response.status_code == 400


def test_session_is_renewed_at_login(client, auth):
    client.get("/login")
    with client.session_transaction() as before:
        old_csrf = before.get("csrf")
    auth.login("admin")
    with client.session_transaction() as after:
        assert after["csrf"] != old_csrf
        first_id = after["sid"]
    auth.login("admin")  # signing in again, even as the same person, gives a new session id
    with client.session_transaction() as again:
        assert again["sid"] != first_id and "role" not in again and "account_id" not in again


def test_deactivated_account_is_logged_out_at_its_next_request(app, client, auth, db):
    account = db.scalar(select(UserAccount).where(UserAccount.username == "callcentre2"))
    auth.login("callcentre2")
    assert client.get("/tickets").status_code == 200
    account.active = False
    db.commit()
    try:
        assert client.get("/tickets").status_code == 302
        assert GENERIC in auth.login("callcentre2").get_data(as_text=True)
    finally:
        account.active = True
        db.commit()


def test_password_hashes_are_salted_and_verified():
    first, second = hash_password("secret"), hash_password("secret")
    assert first != second
    assert verify_password(first, "secret") and not verify_password(first, "Secret")
    assert not verify_password("garbage", "secret")
    assert not verify_password("scrypt$x$y$z$00$00", "secret")


def test_cheap_demo_hash_is_upgraded_at_first_login(client, auth, db):
    account = db.scalar(select(UserAccount).where(UserAccount.role == "expert").order_by(UserAccount.id.desc()))
    assert f"scrypt${DEMO_COST[0]}$" in account.password_hash
    auth.login(account.username)
    db.refresh(account)
    assert not needs_rehash(account.password_hash)
    assert account.password_hash.startswith(f"scrypt${CURRENT_COST[0]}$")
    assert verify_password(account.password_hash, "sysops-demo")
