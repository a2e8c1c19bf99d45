"""Admins find an account and sign it out everywhere (a lost phone, a leaver, a suspected theft)."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import login_sessions
from ..access import allow
from ..forms import clean_text
from ..front_door import front_door
from ..models import UserAccount

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")
SHOWN = 50


@bp.get("")
@allow("admin")
def index():
    if front_door().open():  # the identity service holds the accounts and their sessions: its page
        return redirect(url_for("fragments.proxy", name="identity", rest="admin/accounts", **request.args))
    query = clean_text(request.args.get("q"), 80)
    statement = select(UserAccount).order_by(UserAccount.username).limit(SHOWN)
    if query:
        statement = statement.where(UserAccount.username.contains(query, autoescape=True)
                                    | UserAccount.display_name.contains(query, autoescape=True))
    accounts = list(g.db.scalars(statement))
    counts = login_sessions.live_counts(g.db, [a.id for a in accounts])
    return render_template("shell/accounts.html", accounts=accounts, counts=counts, q=query,
                           signed_out=request.args.get("signed_out", ""))


@bp.post("/<int:account_id>/sign-out")
@allow("admin")
def sign_out_everywhere(account_id: int):
    if front_door().open():
        abort(409, description="Accounts are kept by the sign-in service now: sign them out from its Accounts page.")
    account = g.db.get(UserAccount, account_id)
    if account is None:
        abort(404)
    login_sessions.end_all(g.db, account.id)
    g.db.commit()
    return redirect(url_for("accounts.index", q=request.form.get("q", ""), signed_out=account.username))
