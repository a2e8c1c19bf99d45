from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from werkzeug.exceptions import BadRequest

from foundation.problems import Problem, invalid_fields
from shell_app.forms import clean_text


def db():
    return g.db


def listing(items: list[dict], next_cursor: str | None):
    return jsonify(items=items, next_cursor=next_cursor)


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type", "send application/json", kind="unsupported-media-type")
    try:
        body = request.get_json()
    except BadRequest as exc:
        raise Problem(400, "Bad Request", exc.description or "the body is not valid JSON", kind="invalid-body") from exc
    if not isinstance(body, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object", kind="invalid-body")
    return body


def invalid(errors: dict[str, str]) -> Problem:
    return invalid_fields(errors)


def text_field(body: dict, name: str, errors: dict[str, str], *, max_length: int, required: bool = True,
               min_length: int = 1) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        errors[name] = "must be a string"
        return ""
    value = clean_text(value)
    if not min_length <= len(value) <= max_length:
        errors[name] = f"must be {min_length} to {max_length} characters"
    return value


def int_field(body: dict, name: str, errors: dict[str, str], required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        errors[name] = "must be a positive integer"
        return None
    return value
