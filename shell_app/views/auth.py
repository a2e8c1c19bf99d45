from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from foundation.passwords import check_login, hash_password, needs_rehash, password_errors, verify_password
from foundation.tokens import DEFAULT_TTL_SECONDS, Principal

from .. import login_sessions
from ..access import allow, csrf_token, public, safe_next
from ..forms import clean_text
from ..front_door import front_door, session_cookie
from ..models import ROLES, UserAccount

bp = Blueprint("auth", __name__)
GENERIC_FAILURE = "Invalid username or password."


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if front_door().open():  # the identity service's page, through this same origin (ADR 0032)
        return front_door().forward("/login")
    next_url = safe_next(request.values.get("next"), url_for("home.index"))
    if request.method == "GET":
        return render_template("shell/login.html", error=None, username="", next_url=next_url)
    username = clean_text(request.form.get("username"), 80)
    password = (request.form.get("password") or "")[:256]
    address = request.remote_addr or "unknown"
    throttle = current_app.extensions["login_throttle"]
    refusal = throttle.admit(username, address)
    if refusal is not None:  # checked before the password: a lock holds for the right one too
        response = current_app.make_response((render_template(
            "shell/login.html", error=refusal.message, username=username, next_url=next_url), 429))
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    account = g.db.scalar(select(UserAccount).where(UserAccount.username == username)) if username else None
    if not check_login(account.password_hash if account else None, password) or not account.active:
        throttle.failed(address)
        return render_template("shell/login.html", error=GENERIC_FAILURE, username=username,
                               next_url=next_url), 401
    throttle.succeeded(username)
    now = dt.datetime.now()
    if account.frozen_at is None:  # once the identity service holds the account, the monolith edits nothing of it
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        account.last_login_at = now
    login_sessions.forget_expired(g.db, now, lifetimes())
    session_id = login_sessions.start(g.db, account, address, now)
    g.db.commit()
    session.clear()  # a fresh session (new id, new CSRF token) on login defeats session fixation
    session["sid"] = session_id
    csrf_token()
    return redirect(next_url)


@bp.post("/logout")
@allow(*ROLES)
def logout():
    door = front_door()
    if door.open():
        door.forget(session_cookie())
        return door.forward("/logout")
    login_sessions.end(g.db, session.get("sid"))
    g.db.commit()
    session.clear()
    response = redirect(url_for("auth.login"))
    # Fragments' HTML may be kept by this browser for revalidation (ETag): nothing of this user stays.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ROLES)
def change_password():
    """A new password ends every session of the account (a thief's too); this browser gets a fresh one."""
    door = front_door()
    if door.open():
        door.forget(session_cookie())
        return door.forward("/account/password")
    if request.method == "GET":
        return render_template("shell/change_password.html", errors={}, done=request.args.get("changed") == "1")
    refusal = current_app.extensions["login_throttle"].admit(g.user.username, request.remote_addr or "unknown")
    if refusal is not None:
        return render_template("shell/change_password.html", errors={"current": refusal.message}, done=False), 429
    current = (request.form.get("current") or "")[:256]
    new = (request.form.get("new") or "")[:256]
    errors = password_errors(new, request.form.get("confirm") or "")
    if not verify_password(g.user.password_hash, current):
        errors["current"] = "This is not your current password."
    elif g.user.frozen_at is not None:
        errors["current"] = ("Your account has moved to the new sign-in service: change your password there "
                             "(Account, Password). Nothing was changed here.")
    if errors:
        return render_template("shell/change_password.html", errors=errors, done=False), 422
    account = g.user
    account.password_hash = hash_password(new)
    login_sessions.end_all(g.db, account.id)
    session_id = login_sessions.start(g.db, account, request.remote_addr or "unknown", dt.datetime.now())
    g.db.commit()
    session.clear()
    session["sid"] = session_id
    csrf_token()
    return redirect(url_for("auth.change_password", changed=1))


@bp.route("/account/reset", methods=["GET", "POST"])
@public
def ask_for_link():
    """Password links are the identity service's (ADR 0032): there once it signs people in."""
    if not front_door().open():
        abort(404)
    return front_door().forward("/account/reset")


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@public
def use_link(token: str):
    if not front_door().open():
        abort(404)
    return front_door().forward(f"/account/reset/{quote(token, safe='')}")


def lifetimes() -> login_sessions.Lifetimes:
    return current_app.extensions["session_lifetimes"]


TOKEN_AUDIENCES = ("bridge",)


@bp.get("/auth/token")
@allow(*ROLES)
def token():
    """A short-lived bearer token for the logged-in user, for our own services (JSON, same-origin only)."""
    if front_door().open():  # the identity service alone says who a user is then (ADR 0035)
        return jsonify(error="user tokens come from the identity service"), 410
    audience = request.args.get("audience", "bridge")
    if audience not in TOKEN_AUDIENCES:
        return jsonify(error="unknown audience"), 400
    user = g.user
    principal = Principal("user", user.username, user.role, user.customer_id, user.expert_id)
    minted = current_app.extensions["token_signer"].mint(principal, audience)
    response = jsonify(token=minted, token_type="Bearer", expires_in=DEFAULT_TTL_SECONDS, audience=audience)
    response.headers["Cache-Control"] = "no-store"
    return response
