"""Who may do what on the front end's pages: default-deny access rules and CSRF, shared by the
composition shell and the monolith (its own sessions are shell_app.security's).

Every view is closed unless it says otherwise: `@public` for the few anonymous pages,
`@allow(*roles)` for the rest. A view with neither answers 403, so a forgotten
decorator fails closed. tests/test_access_matrix.py walks the URL map to prove it.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Callable

from flask import abort, current_app, g, redirect, request, session, url_for

from foundation.parsing import safe_next as safe_next  # where `next=` may send a user

from . import front_door, published_api

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Flask's own static route cannot carry a marker; CSS and htmx are needed on the login page.
PUBLIC_ENDPOINTS = frozenset({"static"})
# Passed to the identity service, whose forms before sign-in carry their own double-submit token.
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.ask_for_link", "auth.use_link"})


def public(view: Callable) -> Callable:
    view.public = True  # type: ignore[attr-defined]
    return view


def allow(*roles: str) -> Callable[[Callable], Callable]:
    def mark(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def view_policy(endpoint: str, view: Callable) -> tuple[bool, frozenset[str]]:
    is_public = endpoint in PUBLIC_ENDPOINTS or bool(getattr(view, "public", False))
    return is_public, getattr(view, "allowed_roles", frozenset())


def load_person() -> None:
    """Who is signed in, as the identity service says of the session cookie (shell_app.front_door)."""
    g.user = front_door.front_door().person(front_door.session_cookie())


def enforce_access():
    endpoint = request.endpoint or ""
    if published_api.in_token_blueprint():
        return None
    view = current_app.view_functions.get(endpoint)
    if view is None:  # unknown URL: let the 404 handler answer
        return None
    is_public, roles = view_policy(endpoint, view)
    if is_public:
        return None
    if g.user is None:
        if getattr(view, "answers_401", False):  # machine callers (nginx auth_request) get a status
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if g.user.role not in roles:
        abort(403)
    return None


def csrf_token() -> str:
    """This session's token for state changes (made at its first use)."""
    token = expected_csrf()
    if token is None:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def expected_csrf() -> str | None:
    """The token a state change must carry: a person the identity service signed in has it in their
    session there; anyone else (the monolith's sessions, a signed link's page) in the browser's signed cookie."""
    user = g.get("user")
    return user.csrf if isinstance(user, front_door.Person) else session.get("csrf")


def enforce_csrf():
    if request.method not in UNSAFE_METHODS or published_api.in_token_blueprint():
        return None
    if request.endpoint in SIGN_IN_ENDPOINTS and front_door.front_door().open():
        return None  # passed to the identity service, whose sign-in form has its own token (ADR 0032)
    request.get_data(cache=True)  # keep the raw body (the fragment proxy forwards it); forms parse from the cache
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = expected_csrf()
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="This form has expired or was not sent by this site. Reload the page and try again.")
    return None
