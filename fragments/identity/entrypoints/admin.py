"""The admins' accounts pages (the successor of the monolith's Accounts screen, shown in the shell as
fragment pages): find an account, see its live sessions and last sign-in, sign it out everywhere; open
an account, change its name, role and link, disable it, give its person a password link. Every change
answers with the page (the shell passes no redirect of a fragment on; htmx swaps it in)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from foundation.vocabulary import ROLES
from fragments.kit.auth import allow, current, forwarded_csrf
from fragments.kit.bootstrap import services

from ..domain.accounts import Account, InvalidAccount
from ..services.account_admin import AccountAdmin, AccountUnknown
from ..services.ports import StoreUnavailable
from ..wiring import IdentityService

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")
ADMIN = ("admin",)
FIELDS = ("username", "display_name", "role", "customer_id", "expert_id")


def _admin() -> AccountAdmin:
    return services(IdentityService).admin


@bp.get("")
@allow(roles=ADMIN)
def index():
    return _page((request.args.get("q") or "")[:80])


def _page(words: str, signed_out: str = ""):
    rows = _admin().find(words)
    return render_template("identity/accounts.html", rows=rows, q=words, csrf=forwarded_csrf(), signed_out=signed_out,
                           when=lambda at: dt.datetime.fromtimestamp(at) if at else None)


@bp.post("/<int:account_id>/sign-out")
@allow(roles=ADMIN)
def sign_out_everywhere(account_id: int):
    account = _admin().sign_out_everywhere(account_id)
    if account is None:
        abort(404, description="No such account.")
    return _page((request.form.get("q") or "")[:80], signed_out=account.username)


@bp.route("/new", methods=["GET", "POST"])
@allow(roles=ADMIN)
def open_account():
    if request.method == "GET":
        return _new_form({}, {})
    entered = {name: (request.form.get(name) or "")[:200] for name in FIELDS}
    try:
        made = _admin().open(entered, by=current().subject)
    except InvalidAccount as exc:
        return _new_form(entered, exc.errors, 422)
    return render_template("identity/account_link.html", link=made, opened=True)


def _new_form(entered: dict[str, str], errors: dict[str, str], status: int = 200):
    return render_template("identity/account_new.html", entered=entered, errors=errors, roles=ROLES,
                           csrf=forwarded_csrf()), status


@bp.route("/<int:account_id>", methods=["GET", "POST"])
@allow(roles=ADMIN)
def account(account_id: int):
    admin = _admin()
    try:
        held = admin.get(account_id)
        if request.method == "GET":
            return _edit_form(held, {}, {})
        entered = {name: (request.form.get(name) or "")[:200] for name in FIELDS if name != "username"}
        try:
            changed = admin.change(account_id, entered, by=current().subject)
        except InvalidAccount as exc:
            return _edit_form(held, entered, exc.errors, status=422)
    except AccountUnknown:
        abort(404, description="No such account.")
    ended = " Its sessions have ended: it signs in again with its new role." if changed.role != held.role else ""
    return _edit_form(changed, {}, {}, message=f"Saved.{ended}")


@bp.post("/<int:account_id>/active")
@allow(roles=ADMIN)
def set_active(account_id: int):
    active = request.form.get("active") == "yes"
    try:
        changed = _admin().set_active(account_id, active, by=current().subject)
    except AccountUnknown:
        abort(404, description="No such account.")
    except InvalidAccount as exc:
        return _edit_form(_admin().get(account_id), {}, {}, refused=exc.errors["active"], status=409)
    message = ("Enabled: it can sign in again." if active else
               "Disabled: its sessions have ended and it cannot sign in until enabled again.")
    return _edit_form(changed, {}, {}, message=message)


@bp.post("/<int:account_id>/password-link")
@allow(roles=ADMIN)
def password_link(account_id: int):
    admin = _admin()
    try:
        made = admin.link_for(admin.get(account_id))
    except AccountUnknown:
        abort(404, description="No such account.")
    return render_template("identity/account_link.html", link=made, opened=False)


def _edit_form(account: Account, entered: dict[str, str], errors: dict[str, str], *, message: str = "",
               refused: str = "", status: int = 200):
    shown = entered or {"display_name": account.display_name, "role": account.role,
                        "customer_id": str(account.customer_id or ""), "expert_id": str(account.expert_id or "")}
    return render_template("identity/account_edit.html", account=account, entered=shown, errors=errors,
                           roles=ROLES, message=message, refused=refused, csrf=forwarded_csrf()), status


@bp.errorhandler(StoreUnavailable)
def unavailable(_exc: StoreUnavailable):
    return render_template("identity/account_message.html",
                           message="Accounts cannot be read or changed right now: nothing was changed. "
                                   "Try again in a moment."), 503
