from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
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

from foundation.tokens import DEFAULT_TTL_SECONDS, Principal

from ..forms import clean_text
from ..models import ROLES, UserAccount
from ..passwords import dummy_verify, hash_password, needs_rehash, verify_password
from ..security import allow, csrf_token, public, safe_next

bp = Blueprint("auth", __name__)
GENERIC_FAILURE = "Invalid username or password."


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.values.get("next"), url_for("home.index"))
    if request.method == "GET":
        return render_template("shell/login.html", error=None, username="", next_url=next_url)
    username = clean_text(request.form.get("username"), 80)
    password = (request.form.get("password") or "")[:256]
    account = g.db.scalar(select(UserAccount).where(UserAccount.username == username)) if username else None
    if account is None:
        dummy_verify(password)
    if account is None or not account.active or not verify_password(account.password_hash, password):
        return render_template("shell/login.html", error=GENERIC_FAILURE, username=username,
                               next_url=next_url), 401
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = dt.datetime.now()
    g.db.commit()
    session.clear()  # a fresh session on login defeats session fixation
    session.update(account_id=account.id, role=account.role)
    csrf_token()
    return redirect(next_url)


@bp.post("/logout")
@allow(*ROLES)
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


TOKEN_AUDIENCES = ("bridge",)


@bp.get("/auth/token")
@allow(*ROLES)
def token():
    """A short-lived bearer token for the logged-in user, for our own services (JSON, same-origin only)."""
    audience = request.args.get("audience", "bridge")
    if audience not in TOKEN_AUDIENCES:
        return jsonify(error="unknown audience"), 400
    user = g.user
    principal = Principal("user", user.username, user.role, user.customer_id, user.expert_id)
    minted = current_app.extensions["token_signer"].mint(principal, audience)
    response = jsonify(token=minted, token_type="Bearer", expires_in=DEFAULT_TTL_SECONDS, audience=audience)
    response.headers["Cache-Control"] = "no-store"
    return response
