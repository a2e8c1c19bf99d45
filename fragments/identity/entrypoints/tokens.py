"""The front door's permission check (nginx's auth_request, or a shell's proxy): the signed-in session
named by the cookie, for fragment `name`, answered with a short-lived user token meant for that
fragment alone (ADR 0031) and the session's CSRF token; the identity service is their only issuer
once it is the way in (ADR 0032)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from foundation.tokens import Principal, csrf_digest
from fragments.kit.auth import UNSAFE_METHODS, public
from fragments.kit.bootstrap import services

from ..services.ports import StoreUnavailable
from ..wiring import IdentityService
from . import cookies

bp = Blueprint("tokens", __name__)
TOKEN_TTL_S = 60


@bp.get("/auth/session")
@public  # authenticates by the session cookie it is asked about
def current_session():
    """Who the session named by the cookie is, and its CSRF token: what a shell needs to draw a page for
    them (JSON, never kept by any cache). 401 without a live session."""
    try:
        resumed = services(IdentityService).sign_in.resume(request.cookies.get(cookies.SESSION))
    except StoreUnavailable:
        abort(503, description="sessions cannot be checked right now")
    if resumed is None:
        abort(401, description="not signed in")
    account = resumed.account
    response = jsonify(id=account.id, username=account.username, role=account.role,
                       display_name=account.display_name, customer_id=account.customer_id,
                       expert_id=account.expert_id, csrf=resumed.session.csrf)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/auth/fragment/<name>")
@public  # authenticates by the session cookie it is asked about
def fragment_token(name: str):
    identity = services(IdentityService)
    if name not in identity.fragments:
        abort(404)
    try:
        resumed = identity.sign_in.resume(request.cookies.get(cookies.SESSION))
    except StoreUnavailable:
        abort(503, description="sessions cannot be checked right now")
    if resumed is None:
        abort(401, description="not signed in")
    session = resumed.session
    if request.headers.get("X-Original-Method", "GET").upper() in UNSAFE_METHODS and not cookies.same(
            request.headers.get("X-CSRF-Token"), session.csrf):
        # 403, not 400: nginx's auth_request passes only 401 and 403 on; any other answer becomes a 500.
        abort(403, description="missing or wrong CSRF token")
    account = resumed.account
    principal = Principal("user", account.username, account.role, account.customer_id, account.expert_id,
                          csrf_digest(session.csrf))
    token = identity.tokens.mint(principal, f"fragment:{name}", ttl=TOKEN_TTL_S)
    return Response(status=204, headers={"X-Fragment-Token": token, "X-Shell-CSRF": session.csrf,
                                         "Cache-Control": "no-store"})
