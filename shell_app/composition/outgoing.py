"""What the shell sends a fragment on the user's behalf: a short-lived token naming the user (and the
CSRF digest their session carries), the request id, and where the fragment is mounted."""
from __future__ import annotations

from flask import current_app, g, request

from foundation.request_ids import forwarded
from foundation.tokens import Principal, csrf_digest

from ..security import csrf_token
from .registry import registry

TOKEN_TTL_S = 60
# Fragments that call another fragment's API as the user (ADR 0008) get a user token valid there too,
# which they forward as it is: they cannot mint user tokens themselves (ADR 0003). Only for the roles
# whose screens make those calls: an expert's day reads and changes their tickets in ticketing and the
# articles in the knowledge base; an admin's roster calls nobody as the user. Anyone else's token for
# the experts fragment opens nothing beyond it.
CALLS_AS_USER = {"experts": {"expert": ("ticketing", "knowledge")}}


def audiences(fragment: str, role: str) -> list[str]:
    return [f"fragment:{name}" for name in (fragment, *CALLS_AS_USER.get(fragment, {}).get(role, ()))]


def user_token(fragment: str) -> str:
    user = g.user
    principal = Principal("user", user.username, user.role, customer_id=user.customer_id, expert_id=user.expert_id,
                          csrf_digest=csrf_digest(csrf_token()))
    return current_app.extensions["token_signer"].mint(principal, audiences(fragment, user.role), ttl=TOKEN_TTL_S)


def on_behalf(name: str) -> dict[str, str]:
    """The headers every request to fragment `name` carries for the signed-in user."""
    return {"Authorization": f"Bearer {user_token(name)}", "X-Forwarded-Prefix": registry().prefix(name),
            "X-Forwarded-Host": request.host, "X-Forwarded-Proto": request.scheme, "X-Shell-CSRF": csrf_token(),
            **forwarded()}
