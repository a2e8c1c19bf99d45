"""The identity service's two cookies: the session (a random id; the service keeps its digest) and the
sign-in form's anti-forgery token (double submit: the form's hidden field must equal the cookie, which
another site can neither read nor set)."""
from __future__ import annotations

import hmac
import secrets

from flask import Response, request

SESSION = "sysops_session"
LOGIN_CSRF = "sysops_login_csrf"


def set_session(response: Response, session_id: str, *, https: bool) -> None:
    # Lax: a link from an e-mail opens a page signed in; no other site's form or script carries it.
    response.set_cookie(SESSION, session_id, httponly=True, secure=https, samesite="Lax", path="/")


def clear_session(response: Response, *, https: bool) -> None:
    response.delete_cookie(SESSION, path="/", secure=https, httponly=True, samesite="Lax")


def login_csrf() -> tuple[str, bool]:
    """This browser's sign-in form token, and whether it is new (then it must be set)."""
    known = request.cookies.get(LOGIN_CSRF, "")
    if 20 <= len(known) <= 64:
        return known, False
    return secrets.token_urlsafe(32), True


def set_login_csrf(response: Response, token: str, *, https: bool) -> None:
    response.set_cookie(LOGIN_CSRF, token, httponly=True, secure=https, samesite="Strict", path="/")


def same(sent: str | None, expected: str | None) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(str(sent).encode(), str(expected).encode())
