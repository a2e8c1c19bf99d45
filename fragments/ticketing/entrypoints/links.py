"""The pages a link in a message opens (no login: the signed link is the permission). The shell serves
them at `/links/<token>` for anyone, calling here as the shell service; it checks its own CSRF token on
the form. Opening a link changes nothing (mail scanners open links); the button on the page does."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from fragments.kit.auth import allow

from ..domain.slots import describe
from ..services.links import LinkPage, Links
from .common import services

bp = Blueprint("links", __name__)
MAX_TOKEN = 2000


def _links() -> Links:
    links = services().links
    if links is None:
        abort(404)
    return links


def _page(page: LinkPage, token: str):
    booking = page.ticket.booking() if page.ticket is not None else None
    when = describe_iso(page.slot) or (describe_iso(booking.slot) if booking and booking.slot else "")
    chosen = request.form.getlist("slots") if request.method == "POST" else []
    # The form posts back to the shell, which checks its own CSRF token: it sends the one to embed (the
    # caller is the shell service itself, authenticated by its token).
    return render_template("ticketing/link.html", page=page, token=token, when=when, chosen=chosen,
                           csrf=request.headers.get("X-Shell-CSRF", "")), page.status


def describe_iso(value: str | None) -> str:
    try:
        return describe(dt.datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return ""


@bp.get("/links/<path:token>")
@allow(services=("shell",))
def open_link(token: str):
    return _page(_links().open(token[:MAX_TOKEN]), token[:MAX_TOKEN])


@bp.post("/links/<path:token>")
@allow(services=("shell",))
def use_link(token: str):
    slots = [s for s in request.form.getlist("slots") if isinstance(s, str)][:5]
    return _page(_links().use(token[:MAX_TOKEN], slots), token[:MAX_TOKEN])
