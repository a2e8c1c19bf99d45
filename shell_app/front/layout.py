"""What every page of the front end shares, whichever app serves it (the composition shell, or the
monolith while it is still a front door): the layout's template globals, one date format, hashed asset
URLs kept a year, fragments inlined at first paint, and the security headers."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, url_for
from jinja2 import StrictUndefined

from foundation import times

from ..access import csrf_token
from ..assets import HTMX_FILE, versioned
from ..composition import inline
from ..composition.slots import GENERIC_FALLBACK, UNREACHABLE, fallback_headers, fragment_assets, fragment_url
from ..routing import IdConverter
from ..version import VERSION
from . import page_styles

CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


def install(app: Flask, nav: dict[str, str] | None = None) -> None:
    """`nav`: where the navigation's entries lead when not to the app's own endpoint of that name (the
    composition shell's links go straight to the page that succeeded a legacy screen)."""
    successors = dict(nav or {})
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters.update(times.FILTERS)  # one date and time format on every screen
    app.url_map.converters["int"] = IdConverter
    # The CSS and htmx are named with a hash of their content in pages (asset_url): browsers keep them,
    # so a page load asks for no asset at all.
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600

    def asset_url(filename: str) -> str:
        return url_for("static", filename=filename, v=versioned(app.static_folder, filename))

    def nav_url(endpoint: str) -> str:
        return successors.get(endpoint) or url_for(endpoint)

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"current_user": g.get("user"), "csrf_token": csrf_token, "htmx_file": HTMX_FILE,
                "app_version": VERSION, "asset_url": asset_url, "nav_url": nav_url}

    # Globals, not context: imported macros (fragment_slot) see globals only.
    app.jinja_env.globals.update(fragment_url=fragment_url, fragment_assets=fragment_assets,
                                 fragment_unreachable=UNREACHABLE, generic_fallback=GENERIC_FALLBACK,
                                 fallback_headers=fallback_headers, inline_slot=inline.start,
                                 page_stylesheet=page_styles.page_stylesheet)
    page_styles.install(app)
    app.after_request(inline.fill)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response
