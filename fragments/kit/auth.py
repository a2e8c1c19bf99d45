"""Zero trust for fragment apps: every request carries a bearer token minted by the shell (a user) or
by one of our services; each view says who may call it, and a view that says nothing is closed.

State changes made by users also need the shell session's CSRF token: the user token carries its
digest, and the fragment compares the `X-CSRF-Token` header (or `csrf_token` form field) with it.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask, abort, current_app, g, request

from foundation.tokens import Principal, TokenError, TokenVerifier, bearer, csrf_digest
from foundation.vocabulary import STAFF_ROLES

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    services: frozenset[str]
    public: bool = False


def allow(*, roles: tuple[str, ...] = (), services: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    def mark(view: Callable) -> Callable:
        view.fragment_policy = Policy(frozenset(roles), frozenset(services))  # type: ignore[attr-defined]
        return view

    return mark


def public(view: Callable) -> Callable:
    view.fragment_policy = Policy(frozenset(), frozenset(), public=True)  # type: ignore[attr-defined]
    return view


def policy_of(endpoint: str) -> Policy:
    view = current_app.view_functions.get(endpoint)
    if endpoint == "static":
        return Policy(frozenset(), frozenset(), public=True)
    return getattr(view, "fragment_policy", Policy(frozenset(), frozenset()))


def audience(fragment: str) -> str:
    return f"fragment:{fragment}"


def install(app: Flask, fragment: str, public_keys: Path) -> None:
    verifier = TokenVerifier.from_file(public_keys, audience(fragment))

    @app.before_request
    def authenticate():
        if request.endpoint is None:
            return None  # 404/405: the error handler answers
        policy = policy_of(request.endpoint)
        if policy.public:
            return None
        try:
            principal = verifier.verify(bearer(request.headers.get("Authorization")))
        except TokenError as exc:
            abort(401, description=str(exc))
        g.principal = principal
        allowed = (principal.subject in policy.services) if principal.is_service else (principal.role in policy.roles)
        if not allowed:
            abort(403)
        if request.method in UNSAFE_METHODS and not principal.is_service:
            _check_csrf(principal)
        return None


def _check_csrf(principal: Principal) -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = principal.csrf_digest or ""
    if not sent or not expected or not hmac.compare_digest(csrf_digest(sent), expected):
        abort(400, description="This form has expired or was not sent by this site. Reload the page and try again.")


def current() -> Principal:
    return g.principal


def forwarded_csrf() -> str:
    """The shell session's CSRF token as the shell forwarded it, for forms to embed (so they also work
    without htmx); trusted only if it matches the digest signed into the user's token."""
    sent = request.headers.get("X-Shell-CSRF", "") or request.headers.get("X-CSRF-Token", "")
    digest = current().csrf_digest
    return sent if sent and digest and csrf_digest(sent) == digest else ""


def is_staff(principal: Principal) -> bool:
    return not principal.is_service and principal.role in STAFF_ROLES


def require_customer(customer_id: int) -> None:
    """Customers reach only their own records; staff and services reach any."""
    principal = current()
    if not principal.is_service and principal.role == "customer" and principal.customer_id != customer_id:
        abort(403)
