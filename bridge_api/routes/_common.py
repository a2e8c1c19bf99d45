from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any, Callable

from flask import g, jsonify, make_response, request
from sqlalchemy import func, select, update
from werkzeug.exceptions import BadRequest

from foundation.problems import Problem, invalid_fields
from shell_app.forms import clean_text

from ..paging import int_arg


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


def batch_items(parse: Callable[[dict, dict[str, str]], Any], what: str, limit: int = 100) -> list[Any]:
    """The body's `items` (1 to `limit`), each read by `parse(item, errors)`; any invalid item refuses
    the whole batch (422 naming `items.<index>.<field>`)."""
    items = json_body().get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        raise invalid({"items": f"must be a list of 1 to {limit} {what}"})
    errors: dict[str, str] = {}
    parsed = []
    for index, item in enumerate(items):
        own: dict[str, str] = {}
        parsed.append(parse(item if isinstance(item, dict) else {}, own))
        errors.update({f"items.{index}.{name}": message for name, message in own.items()})
    if errors:
        raise invalid(errors)
    return parsed


def freeze_rows(model, ids: list[int], records: Callable[[list[int]], tuple[list[dict], list[int]]],
                admit: Callable[[list[int]], list[int]] | None = None):
    """Take the new system's copy of some legacy rows: lock them in id order (concurrent freezes cannot
    deadlock), set `frozen_at` where unset (a row keeps its first freeze), and read them after it in the
    same transaction: a legacy write either committed before (and is in the records) or will see the
    freeze and be refused. `admit`, given the locked ids, keeps those the caller may take (decided on
    the rows as they are frozen). Answers {items, missing}; a refused id is missing, and not frozen."""
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update())
    taken = admit(ids) if admit is not None else ids
    if taken:
        session.execute(update(model).where(model.id.in_(taken), model.frozen_at.is_(None)).values(frozen_at=now))
    items, _ = records(taken) if taken else ([], [])
    session.commit()
    found = {item["id"] for item in items}
    return jsonify(items=items, missing=[i for i in ids if i not in found])


def mark_rows(model, ids: list[int]) -> None:
    """Mark legacy rows migrated (frozen too, if a crash skipped the freeze's own mark); idempotent: a
    conditional update, so concurrent markers never overwrite each other's time."""
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    session.execute(update(model).where(model.id.in_(ids), model.migrated_at.is_(None))
                    .values(migrated_at=now, frozen_at=func.coalesce(model.frozen_at, now)))
    session.commit()


def ids_page(model, limit: int = 500):
    """One page of a handed-over model's ids in order after `?after=` (`?migrated=false`: not yet marked)."""
    after = int_arg("after") or 0
    query = select(model.id).where(model.id > after).order_by(model.id).limit(min(int_arg("limit") or limit, limit))
    if request.args.get("migrated") == "false":
        query = query.where(model.migrated_at.is_(None))
    return jsonify(items=list(db().scalars(query)))


def handover_stats(model):
    """How many rows of a handed-over model there are, how many frozen, how many marked migrated."""
    session = db()
    count = select(func.count()).select_from(model)
    return jsonify(total=session.scalar(count), frozen=session.scalar(count.where(model.frozen_at.is_not(None))),
                   migrated=session.scalar(count.where(model.migrated_at.is_not(None))))


def id_list(values: Any, limit: int = 500) -> list[int]:
    """A body's list of ids: 1 to `limit` positive integers that every id column holds (below 2**31),
    sorted once each; else 400."""
    if not isinstance(values, list) or not values or len(values) > limit or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in values):
        raise Problem(400, "Bad Request", f"ids must be 1 to {limit} positive integers", kind="invalid-parameter")
    return sorted(set(values))


def until_sunset(sunset: str, successor: str) -> Callable[[Callable], Callable]:
    """Old routes served through a compatibility window: every answer says until when (RFC 8594 Sunset),
    that they are deprecated, and which API succeeds them (Link rel="successor-version")."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def answered(*args: Any, **kwargs: Any):
            response = make_response(view(*args, **kwargs))
            response.headers["Sunset"] = sunset
            response.headers["Deprecation"] = "true"
            response.headers["Link"] = successor
            return response

        return answered

    return decorate
