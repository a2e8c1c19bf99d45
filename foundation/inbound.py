"""What every app of ours accepts from a client, checked before the app's own code sees it.

- Bodies: at most MAX_BODY_BYTES, refused with 413 from the Content-Length header before anything is
  read (and, for chunked bodies, while reading: Werkzeug's limit on the stream).
- JSON, query and form fields: JSON must be UTF-8 and at most MAX_JSON_DEPTH levels deep, and no text
  may hold a lone surrogate or a control character other than tab, CR and LF (no database stores them,
  no page shows them, a header cannot carry them): 400 with the reason, before any view runs (and
  before the authorisation check, which reveals nothing either way), so nothing is stored.
- Cookies: HttpOnly and SameSite=Lax always, Secure when the app is served over HTTPS.
- Caching: every answer is `no-store` unless it already says otherwise (static assets do).
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_BODY_BYTES = 1024 * 1024
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
MAX_JSON_DEPTH = 32
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class RefusedInput(ValueError):
    """A client's input that no part of the system may store."""


def forbidden_characters(text: str) -> bool:
    """Lone surrogates or control characters (tab, CR and LF allowed)."""
    return _FORBIDDEN.search(text) is not None


def check_tree(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise RefusedInput if a parsed JSON value nests too deep or holds a forbidden character."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if forbidden_characters(item):
                raise RefusedInput("Text may not contain control characters or unpaired surrogates.")
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > max_depth:
            raise RefusedInput(f"JSON nested deeper than {max_depth} levels.")
        children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
        for key, child in children:
            if key is not None:
                stack.append((key, depth))
            stack.append((child, depth + 1))


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with parsing refusing what check_tree refuses (as ValueError, so a request body
    becomes a 400 through CheckedRequest.on_json_loading_failed)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise RefusedInput(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc
        check_tree(value)
        return value


class CheckedRequest(Request):
    """A request whose JSON that cannot be used is a 400 saying why (Flask's own says only that the
    browser sent something it could not understand)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, RefusedInput):
            raise BadRequest(description=str(e))
        raise BadRequest(description="The body is not valid JSON in UTF-8.")


def install(app: Flask, *, https: bool = False) -> None:
    config = app.config
    # Flask already defines these keys (as None / False), so setdefault would leave them unset.
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if config.get("SESSION_COOKIE_SAMESITE") is None:
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE") or https)
    app.json = CheckedJSONProvider(app)
    app.request_class = CheckedRequest

    @app.before_request
    def refuse_large_bodies():
        limit = config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            abort(413, description=f"What you sent is larger than the {limit // 1024} KiB this service accepts.")

    @app.before_request
    def refuse_control_characters():
        """Query and form fields with control characters or unpaired surrogates, and JSON bodies that
        are not UTF-8, nest too deep or hold such text: 400, before any view (or the authorisation
        check) reads them, so none can be stored (no one types them; a browser form never sends them)."""
        if request.is_json and request.content_length:
            request.get_json(cache=True)  # parsed once: a refused body is a 400 here, the views get the cache
        if request.mimetype in FORM_TYPES:
            request.get_data(cache=True, parse_form_data=False)  # keep the raw body for proxies, parse from it
        fields = (*request.args.items(multi=True), *(request.form.items(multi=True) if request.mimetype in FORM_TYPES
                                                     else ()))
        for name, value in fields:
            if forbidden_characters(name) or forbidden_characters(value):
                abort(400, description=f"The field {name[:40]!r} contains control characters, which this service "
                                       "does not accept. Remove them and send it again.")

    @app.after_request
    def not_stored(response):
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
