"""Who is asking on the monolith's screens: its own server-side sessions until the identity service
signs people in (ADR 0032), then the identity service's. The access rules and CSRF are the front
end's, which the monolith's views import from shell_app.access."""
from __future__ import annotations

import datetime as dt

from flask import current_app, g, request, session

from . import front_door, login_sessions
from .access import SIGN_IN_ENDPOINTS, load_person


def load_current_user() -> None:
    """Who is signed in: the server-side session named by the cookie, if it is still live (the identity
    service's, once it owns sign-in: shell_app.front_door)."""
    g.user = None
    if front_door.front_door().signs_in(sign_in_page=request.endpoint in SIGN_IN_ENDPOINTS,
                                        identity_cookie=front_door.session_cookie() is not None,
                                        legacy_session=lambda: "sid" in session):
        load_person()
        return
    session_id = session.get("sid")
    if session_id is None:
        return
    account = login_sessions.resume(g.db, session_id, dt.datetime.now(), current_app.extensions["session_lifetimes"])
    if account is None:
        session.clear()
        return
    g.user = account
