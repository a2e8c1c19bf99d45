"""The monolith's one extension point for a published JSON API (today: the bridge).

The monolith imports no API: a composition root (`sysops.wsgi`) mounts one here. A mounted blueprint
authenticates every request with bearer tokens itself (the session cookie grants nothing there, so
the screens' login redirect and CSRF check do not apply) and every error under its prefix is an
RFC 9457 problem document instead of an HTML page.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

_BLUEPRINTS = "published_api_blueprints"
_PREFIXES = "published_api_prefixes"


def mount(app: Flask, blueprint: Blueprint) -> None:
    app.register_blueprint(blueprint)
    app.extensions.setdefault(_BLUEPRINTS, set()).add(blueprint.name)
    app.extensions.setdefault(_PREFIXES, []).append(blueprint.url_prefix or "/")


def blueprints(app: Flask) -> frozenset[str]:
    return frozenset(app.extensions.get(_BLUEPRINTS, ()))


def in_token_blueprint() -> bool:
    """Is this request for a mounted API (bearer tokens, not the session)?"""
    return request.blueprint in current_app.extensions.get(_BLUEPRINTS, ())


def under_api_prefix(path: str) -> bool:
    """Is `path` inside a mounted API, matched or not (an unknown API URL still gets a problem body)?"""
    return any(path == prefix or path.startswith(prefix + "/")
               for prefix in current_app.extensions.get(_PREFIXES, ()))
