"""Sign in, sign out and change a password: the identity service's own pages (ADR 0032). They
authenticate by the session cookie, not by a token from the shell: they are the way in."""
from __future__ import annotations

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from foundation.parsing import safe_next
from fragments.kit.auth import public
from fragments.kit.bootstrap import services

from ..services.password_reset import LinkSpent
from ..services.ports import StoreUnavailable
from ..services.sign_in import Refused, SignedIn
from ..wiring import IdentityService
from . import cookies

bp = Blueprint("signin", __name__)
EXPIRED_FORM = "This form has expired or was not sent by this site. Reload the page and try again."
UNAVAILABLE = "Sign-in is not available right now. Please try again in a minute."


def _identity() -> IdentityService:
    return services(IdentityService)


def _address() -> str:
    return request.remote_addr or "unknown"


def _form_page(template: str, status: int, **context) -> Response:
    """A page whose form is sent before anyone is signed in: it carries the double-submit token."""
    token, new = cookies.login_csrf()
    response = make_response(render_template(template, csrf_token=token, **context), status)
    if new:
        cookies.set_login_csrf(response, token, https=_identity().https)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # a password link's token never leaves in a Referer
    return response


def _login_page(username: str, next_url: str, error: str | None, status: int) -> Response:
    return _form_page("identity/login.html", status, error=error, username=username, next_url=next_url)


def _form_forged() -> bool:
    return not cookies.same(request.form.get("csrf_token"), request.cookies.get(cookies.LOGIN_CSRF))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.values.get("next"), "/")
    if request.method == "GET":
        return _login_page("", next_url, None, 200)
    username = (request.form.get("username") or "").strip()[:80]
    password = (request.form.get("password") or "")[:256]
    if _form_forged():
        return _login_page(username, next_url, EXPIRED_FORM, 400)
    identity = _identity()
    try:
        outcome = identity.sign_in.sign_in(username, password, _address())
    except StoreUnavailable:
        return _login_page(username, next_url, UNAVAILABLE, 503)
    if isinstance(outcome, Refused):
        response = _login_page(username, next_url, outcome.message, outcome.status)
        if outcome.retry_after:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    # A session the browser held before (planted or its own) ends: the new one has a new id.
    identity.sign_in.sign_out(request.cookies.get(cookies.SESSION))
    response = redirect(next_url)
    cookies.set_session(response, outcome.session_id, https=identity.https)
    response.delete_cookie(cookies.LOGIN_CSRF, path="/")
    return response


@bp.post("/logout")
@public
def logout():
    identity = _identity()
    session_id = request.cookies.get(cookies.SESSION)
    resumed = identity.sign_in.resume(session_id)
    if resumed is not None:
        if not cookies.same(request.form.get("csrf_token") or request.headers.get("X-CSRF-Token"), resumed.session.csrf):
            return render_template("identity/message.html", title="Not signed out", message=EXPIRED_FORM), 400
        identity.sign_in.sign_out(session_id)
    response = redirect(url_for("signin.login"))
    cookies.clear_session(response, https=identity.https)
    # Fragments' HTML may be kept by this browser for revalidation (ETag): nothing of this user stays.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@public
def change_password():
    """A new password ends every session of the account (a thief's too); this browser gets a new one."""
    identity = _identity()
    session_id = request.cookies.get(cookies.SESSION) or ""
    resumed = identity.sign_in.resume(session_id)
    if resumed is None:
        return redirect(url_for("signin.login", next=url_for("signin.change_password")))
    page = {"csrf_token": resumed.session.csrf, "account": resumed.account}
    if request.method == "GET":
        return render_template("identity/password.html", errors={}, done=request.args.get("changed") == "1", **page)
    if not cookies.same(request.form.get("csrf_token") or request.headers.get("X-CSRF-Token"), resumed.session.csrf):
        return render_template("identity/password.html", errors={"current": EXPIRED_FORM}, done=False, **page), 400
    outcome = identity.sign_in.change_password(session_id, (request.form.get("current") or "")[:256],
                                               (request.form.get("new") or "")[:256],
                                               (request.form.get("confirm") or "")[:256], _address())
    if isinstance(outcome, Refused):
        return render_template("identity/password.html", errors={"current": outcome.message}, done=False,
                               **page), outcome.status
    if not isinstance(outcome, SignedIn):
        return render_template("identity/password.html", errors=outcome, done=False, **page), 422
    response = redirect(url_for("signin.change_password", changed=1))
    cookies.set_session(response, outcome.session_id, https=identity.https)
    return response


@bp.route("/account/reset", methods=["GET", "POST"])
@public
def ask_for_link():
    """A forgotten password: a customer or an expert gets a link at their address; staff ask an admin.
    The same answer whatever the name (who has an account is not told here)."""
    if request.method == "GET":
        return _form_page("identity/reset_ask.html", 200, error=None, asked=False, username="")
    username = (request.form.get("username") or "").strip()[:80]
    if _form_forged():
        return _form_page("identity/reset_ask.html", 400, error=EXPIRED_FORM, asked=False, username=username)
    refused = _identity().reset.ask(username, _address())
    if refused is not None:
        response = _form_page("identity/reset_ask.html", refused.status, error=refused.message, asked=False,
                              username=username)
        if refused.retry_after:
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return _form_page("identity/reset_ask.html", 200, error=None, asked=True, username="")


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@public
def use_link(token: str):
    identity = _identity()
    holder = identity.reset.holder(token)
    if holder is None:
        return _form_page("identity/reset_set.html", 410, account=None, errors={}, spent=LinkSpent().message,
                          token=token)
    if request.method == "GET":
        return _form_page("identity/reset_set.html", 200, account=holder, errors={}, spent=None, token=token)
    if _form_forged():
        return _form_page("identity/reset_set.html", 400, account=holder, errors={"new": EXPIRED_FORM}, spent=None,
                          token=token)
    outcome = identity.reset.use(token, (request.form.get("new") or "")[:256], (request.form.get("confirm") or "")[:256],
                                 _address())
    if isinstance(outcome, LinkSpent):
        return _form_page("identity/reset_set.html", 410, account=None, errors={}, spent=outcome.message, token=token)
    if not isinstance(outcome, SignedIn):
        return _form_page("identity/reset_set.html", 422, account=holder, errors=outcome, spent=None, token=token)
    response = redirect("/")
    cookies.set_session(response, outcome.session_id, https=identity.https)
    response.delete_cookie(cookies.LOGIN_CSRF, path="/")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(StoreUnavailable)
def unavailable(_exc: StoreUnavailable):
    return render_template("identity/message.html", title="Not available", message=UNAVAILABLE), 503
