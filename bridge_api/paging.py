"""Cursor paging: `?limit=&cursor=`; the cursor is opaque to clients (the last id, encoded)."""
from __future__ import annotations

import base64
from dataclasses import dataclass

from flask import request

from foundation.problems import Problem

DEFAULT_LIMIT, MAX_LIMIT = 50, 500


@dataclass(frozen=True)
class PageRequest:
    after_id: int
    limit: int


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def page_request() -> PageRequest:
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise Problem(400, "Bad Request", f"limit must be an integer from 1 to {MAX_LIMIT}", kind="invalid-parameter")
    cursor = request.args.get("cursor")
    after = 0
    if cursor:
        try:
            decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            prefix, _, number = decoded.partition(":")
            if prefix != "id" or not (number.isascii() and number.isdigit()) or len(number) > 12:
                raise ValueError(decoded)
            after = int(number)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(400, "Bad Request", "cursor is not one this API issued", kind="invalid-parameter") from exc
    return PageRequest(after_id=after, limit=int(raw_limit))


def page_of(items: list, page: PageRequest, key=lambda item: item.id) -> tuple[list, str | None]:
    """Callers fetch limit + 1 rows; the extra row only says that another page exists."""
    if len(items) > page.limit:
        items = items[: page.limit]
        return items, encode_cursor(key(items[-1]))
    return items, None


def int_arg(name: str, required: bool = False) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise Problem(400, "Bad Request", f"query parameter '{name}' is required", kind="invalid-parameter")
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise Problem(400, "Bad Request", f"'{name}' must be a positive integer", kind="invalid-parameter")
    return int(value)
