"""Links in our messages (`/links/<token>`), open to anyone who has one: no login, the signed link is
the permission (the ticketing service checks it). The page is the ticketing service's, called as the
shell service, inside the shell's page; its form carries the shell's CSRF token like every form."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from ..access import csrf_token, public
from ..composition.registry import FragmentUnavailable, registry
from .proxy import WRITE_TIMEOUT_S

bp = Blueprint("links", __name__)
MAX_TOKEN = 2000


@bp.route("/links/<path:token>", methods=["GET", "POST"])
@public
def link(token: str):
    fragments = registry()
    if "ticketing" not in fragments or len(token) > MAX_TOKEN:
        abort(404)
    headers = {"Authorization": f"Bearer {fragments.service_token('ticketing')}", "X-Shell-CSRF": csrf_token()}
    if request.method == "POST":
        headers["Content-Type"] = request.headers.get("Content-Type", "application/x-www-form-urlencoded")
    try:
        answer = fragments.fetch("ticketing", request.method, f"/links/{token}", query=b"", headers=headers,
                                 body=request.get_data(), timeout=WRITE_TIMEOUT_S)
    except FragmentUnavailable:
        body = render_template("shell/link.html", content=Markup(
            '<p role="alert">We cannot open this link right now. Nothing was changed; try again in a few '
            "minutes.</p>"))
        return _private(Response(body, 503))
    if not answer.headers.get("Content-Type", "").startswith("text/html"):
        abort(502)
    content = Markup(answer.body.decode("utf-8", "replace"))  # HTML our own service escaped
    return _private(Response(render_template("shell/link.html", content=content), answer.status))


def _private(response: Response) -> Response:
    """A link's token is a permission: never kept by a cache, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
