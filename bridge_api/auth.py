"""Zero trust at the bridge: a valid bearer token on every request, then role and owner checks."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import current_app, g, request

from foundation.problems import Problem
from foundation.tokens import Principal, TokenError, bearer
from foundation.vocabulary import STAFF_ROLES

AUDIENCE = "bridge"
STAFF = STAFF_ROLES
SERVICES = ("ticketing", "experts", "reports", "knowledge", "backfill")
ANY = "*"


def authenticate() -> None:
    verifier = current_app.extensions["bridge_token_verifier"]
    try:
        g.principal = verifier.verify(bearer(request.headers.get("Authorization")))
    except TokenError as exc:
        raise Problem(401, "Unauthorized", str(exc)) from exc


def grant(*, roles: tuple[str, ...] = (), services: tuple[str, ...] = ()) -> Callable:
    """Who may call a route; `roles=(ANY,)` admits every authenticated user and service."""

    def mark(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            authenticate()
            principal: Principal = g.principal
            admitted = ANY in roles or (principal.is_service and principal.subject in services) or (
                not principal.is_service and principal.role in roles)
            if not admitted:
                raise Problem(403, "Forbidden", f"{principal.kind} '{principal.subject}' may not call this route")
            return view(*args, **kwargs)

        checked.bridge_grant = (frozenset(roles), frozenset(services))  # type: ignore[attr-defined]
        return checked

    return mark


def require_customer_access(customer_id: int) -> None:
    """A customer's token reads only that customer."""
    principal: Principal = g.principal
    if not principal.is_service and principal.role == "customer" and principal.customer_id != customer_id:
        raise Problem(403, "Forbidden", "a customer may only read their own records")


def require_expert_access(expert_id: int) -> None:
    principal: Principal = g.principal
    if not principal.is_service and principal.role == "expert" and principal.expert_id != expert_id:
        raise Problem(403, "Forbidden", "an expert may only read their own profile")
