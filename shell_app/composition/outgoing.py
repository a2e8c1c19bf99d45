"""What the shell sends a fragment on the user's behalf: a short-lived token naming the user (and the
CSRF digest their session carries), the request id, and where the fragment is mounted."""
from __future__ import annotations

from flask import current_app, g, request

from foundation.request_ids import forwarded
from foundation.tokens import Principal, csrf_digest

from ..access import csrf_token
from ..front_door import front_door, session_cookie
from .registry import registry

TOKEN_TTL_S = 60


def user_token(fragment: str) -> str:
    door = front_door()
    if door.open():  # the identity service signs people in, and it alone mints their tokens (ADR 0032)
        return door.token(session_cookie() or "", fragment)
    user = g.user
    principal = Principal("user", user.username, user.role, customer_id=user.customer_id, expert_id=user.expert_id,
                          csrf_digest=csrf_digest(csrf_token()))
    # Meant for that fragment alone: one that must call another as the user trades it at the exchange
    # for a token meant for the other, where the role needs that call (ADR 0031). The same token again
    # while half its life is left (foundation.tokens.KeptTokens).
    return current_app.extensions["user_tokens"].mint(principal, f"fragment:{fragment}", ttl=TOKEN_TTL_S)


def on_behalf(name: str) -> dict[str, str]:
    """The headers every request to fragment `name` carries for the signed-in user."""
    return {"Authorization": f"Bearer {user_token(name)}", "X-Forwarded-Prefix": registry().prefix(name),
            "X-Forwarded-Host": request.host, "X-Forwarded-Proto": request.scheme, "X-Shell-CSRF": csrf_token(),
            **forwarded()}
