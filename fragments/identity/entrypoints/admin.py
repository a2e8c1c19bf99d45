"""The admins' accounts page (the successor of the monolith's Accounts screen, shown in the shell as a
fragment page): find an account, see its live sessions and last sign-in, sign it out everywhere."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from fragments.kit.auth import allow, forwarded_csrf
from fragments.kit.bootstrap import services

from ..services.ports import StoreUnavailable
from ..wiring import IdentityService

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


@bp.get("")
@allow(roles=("admin",))
def index():
    return _page((request.args.get("q") or "")[:80])


def _page(words: str, signed_out: str = ""):
    try:
        rows = services(IdentityService).admin.find(words)
    except StoreUnavailable:
        abort(503, description="Accounts cannot be read right now. Try again in a moment.")
    return render_template("identity/accounts.html", rows=rows, q=words, csrf=forwarded_csrf(), signed_out=signed_out,
                           when=lambda at: dt.datetime.fromtimestamp(at) if at else None)


@bp.post("/<int:account_id>/sign-out")
@allow(roles=("admin",))
def sign_out_everywhere(account_id: int):
    try:
        account = services(IdentityService).admin.sign_out_everywhere(account_id)
    except StoreUnavailable:
        abort(503, description="Sessions cannot be ended right now: nothing was changed. Try again in a moment.")
    if account is None:
        abort(404, description="No such account.")
    # The page again, answered here (the shell passes no redirect of a fragment on; htmx swaps it in).
    return _page((request.form.get("q") or "")[:80], signed_out=account.username)
