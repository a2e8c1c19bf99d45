"""The route of a composed page's one stylesheet (shell_app.composition.stylesheets), for whichever
app is the front door: the composition shell, or the monolith while it still is one."""
from __future__ import annotations

from typing import Iterable

from flask import Flask, Response, abort, current_app, request

from foundation.vocabulary import ROLES

from ..access import allow
from ..assets import versioned
from ..composition.registry import registry
from ..composition.stylesheets import ROUTE, SHELL_CSS, YEAR_S, Stylesheets


def install(app: Flask) -> None:
    app.extensions["stylesheets"] = Stylesheets(app.extensions["fragments"], app.static_folder or "static",
                                                versioned(app.static_folder or "static", SHELL_CSS))
    app.add_url_rule(ROUTE, "page_styles", page_styles)


def page_stylesheet(only: Iterable[str] | None = None) -> str | None:
    """For the layout: the URL of the page's stylesheet, or None (then the shell's own CSS alone)."""
    if not registry().bases:
        return None
    sheets: Stylesheets = current_app.extensions["stylesheets"]
    return sheets.url(only)


@allow(*ROLES)
def page_styles() -> Response:
    sheets: Stylesheets = current_app.extensions["stylesheets"]
    query = list(request.args.items(multi=True))
    parts = sheets.named(query)
    if parts is None:
        abort(404)
    sheet = sheets.sheet(query[0][1], parts)
    response = Response(sheet.body, mimetype="text/css")
    response.set_etag(sheet.etag)
    if sheet.keep:
        response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
    else:
        response.headers["Cache-Control"] = "no-store"
    response.make_conditional(request)  # 304 for a browser that has it
    return response
