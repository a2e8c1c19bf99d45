"""The knowledge base's JSON API, for the experts fragment (called as the expert, ADR 0008) and
clients without a browser. Errors are RFC 9457 problem bodies."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from foundation.parsing import parse_digits
from foundation.problems import problem_response
from foundation.vocabulary import STAFF_ROLES
from fragments.kit.auth import allow
from fragments.kit.bootstrap import services

from ..domain.drafts import steps_of
from ..domain.ranking import Ranked
from ..services.knowledge import KnowledgeBase
from ..services.ports import ArticleMissing, LegacyUnavailable

bp = Blueprint("api", __name__)
READERS = (*STAFF_ROLES, "expert")
MAX_LIMIT = 20


def _kb() -> KnowledgeBase:
    return services(KnowledgeBase)


def _number(name: str) -> int | None:
    raw = request.args.get(name, "")
    value = parse_digits(raw)
    if raw and value is None:
        abort(problem_response(400, "Bad Request", f"'{name}' must be a positive integer", kind="invalid-parameter"))
    return value


def _ids(name: str) -> set[int]:
    raw = request.args.get(name, "")
    values = [parse_digits(part) for part in raw.split(",") if part] if raw else []
    if any(v is None for v in values) or len(values) > 100:
        abort(problem_response(400, "Bad Request", f"'{name}' must be up to 100 comma-separated ids",
                               kind="invalid-parameter"))
    return set(values)  # type: ignore[arg-type]


def _item(ranked: Ranked, names: dict[int, str]) -> dict[str, Any]:
    a = ranked.article
    return {"id": a["id"], "title": a["title"], "product_id": a.get("product_id"),
            "product": names.get(a.get("product_id"), ""), "symptoms": a.get("symptoms") or "",
            "steps": len(steps_of(a.get("steps") or "")),
            "version": a.get("version"), "why": ranked.why, "tier": ranked.tier,
            "relevance": round(ranked.relevance, 4)}


@bp.get("/articles/for-ticket")
@allow(roles=READERS)
def for_ticket():
    """The articles most likely to fix a ticket: ?product_id=&q=<its description>&exclude=<attached ids>."""
    limit = min(_number("limit") or 5, MAX_LIMIT)
    ranked = _kb().for_ticket(_number("product_id"), request.args.get("q", "")[:2000], exclude=_ids("exclude"),
                              limit=limit)
    names = _kb().product_names()
    return jsonify(items=[_item(r, names) for r in ranked])


@bp.get("/articles")
@allow(roles=READERS)
def search():
    query = request.args.get("q", "")[:200]
    product_id = _number("product_id")
    if not query.strip() and product_id is None:
        return problem_response(400, "Bad Request", "give q (search words) and/or product_id",
                                kind="invalid-parameter")
    names = _kb().product_names()
    ranked = _kb().search(query, product_id, limit=min(_number("limit") or 10, MAX_LIMIT))
    return jsonify(items=[_item(r, names) for r in ranked])


@bp.get("/articles/<int:article_id>")
@allow(roles=READERS)
def article(article_id: int):
    try:
        found = _kb().read(article_id)
    except ArticleMissing:
        return problem_response(404, "Not Found", f"no article {article_id}")
    except LegacyUnavailable:
        return problem_response(503, "Service Unavailable", "the article is still in the legacy system, which is "
                                "not answering")
    return jsonify({**found, "steps": steps_of(found.get("steps") or ""),
                    "product": _kb().product_names().get(found.get("product_id"), "")})
