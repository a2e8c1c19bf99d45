from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from bridge_client import article_checksum
from foundation.problems import Problem
from shell_app.forms import clean_text
from shell_app.models import Article, Keyword, Product, Tag, article_keywords

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant
from ..paging import int_arg, page_of, page_request
from ._common import (
    db,
    freeze_rows,
    handover_stats,
    id_list,
    ids_page,
    int_field,
    invalid,
    json_body,
    listing,
    mark_rows,
    text_field,
    until_sunset,
)

READERS = dict(roles=(*STAFF, "expert"), services=SERVICES)
WRITERS = dict(roles=("admin",), services=("experts", "ticketing"))
MIGRATORS = ("knowledge", "ticketing", "backfill")  # ticketing: attaching migrates the article
MAX_IDS = 500
CANDIDATES = 500
WEIGHTS = {"title": 3.0, "keyword": 2.0, "tag": 1.0, "body": 1.0, "product": 2.0}


# The v1 KB routes old clients use stay served, as the frozen contract says, until this date (the
# compatibility window of iteration 2, ADR 0020); every answer says so (RFC 8594 Sunset) and names
# the knowledge service's API as the successor.
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"
SUCCESSOR = '</fragments/knowledge/api/v1/articles>; rel="successor-version"'


_until_sunset = until_sunset(SUNSET, SUCCESSOR)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/kb/articles", "kb_search", _until_sunset(search))
    bp.add_url_rule("/kb/articles", "kb_create", _until_sunset(create), methods=["POST"])
    bp.add_url_rule("/kb/articles/<int:article_id>", "kb_get", _until_sunset(get))
    bp.add_url_rule("/kb/articles/<int:article_id>", "kb_update", _until_sunset(replace), methods=["PUT"])
    # The knowledge service's migration of the KB (docs/adr/0020).
    bp.add_url_rule("/kb/articles/ids", "kb_ids", ids)
    bp.add_url_rule("/kb/articles/stats", "kb_stats", stats)
    bp.add_url_rule("/kb/articles/freeze", "kb_freeze", freeze, methods=["POST"])
    bp.add_url_rule("/kb/articles/mark", "kb_mark", mark, methods=["POST"])
    bp.add_url_rule("/kb/articles/checksums", "kb_checksums", checksums)
    bp.add_url_rule("/kb/articles/release", "kb_release", release, methods=["POST"])
    bp.add_url_rule("/kb/articles/<int:article_id>/published", "kb_published", published, methods=["PUT"])


def _terms(text: str) -> list[str]:
    return [t for t in re.findall(r"[\w'-]+", text.lower()) if len(t) >= 2][:8]


def score(article: Article, terms: list[str], product_id: int | None) -> float:
    title, body = article.title.lower(), article.body.lower()
    keywords, tags = {k.word.lower() for k in article.keywords}, {t.name.lower() for t in article.tags}
    total = sum(WEIGHTS["title"] * (t in title) + WEIGHTS["keyword"] * (t in keywords) + WEIGHTS["tag"] * (t in tags)
                + WEIGHTS["body"] * (t in body) for t in terms)
    if product_id is not None and article.product_id == product_id:
        total += WEIGHTS["product"]
    return total


@grant(**READERS)
def search():
    """Best matches first (score, then newest); returns at most `limit` results, no further pages."""
    terms = _terms(clean_text(request.args.get("q"), 200))
    product_id = int_arg("product_id")
    limit = int_arg("limit") or 10
    if not terms and product_id is None:
        raise Problem(400, "Bad Request", "give q (search words) and/or product_id", kind="invalid-parameter")
    conditions = [Article.title.ilike(f"%{t}%") for t in terms] + [Article.body.ilike(f"%{t}%") for t in terms]
    if terms:
        conditions.append(Article.id.in_(select(article_keywords.c.article_id).join(Keyword)
                                         .where(Keyword.word.in_(terms))))
    if product_id is not None:
        conditions.append(Article.product_id == product_id)
    rows = db().scalars(select(Article).options(selectinload(Article.tags), selectinload(Article.keywords))
                        .where(or_(*conditions)).order_by(Article.updated_at.desc(), Article.id.desc())
                        .limit(CANDIDATES)).all()
    ranked = sorted(((score(a, terms, product_id), a) for a in rows), key=lambda pair: -pair[0])
    return listing([s.article(a, round(sc, 2)) for sc, a in ranked[: min(limit, 100)] if sc > 0], None)


def _article(article_id: int) -> Article:
    row = db().get(Article, article_id)
    if row is None:
        raise Problem(404, "Not Found", f"no article {article_id}")
    return row


@grant(**READERS)
def get(article_id: int):
    return jsonify(s.article(_article(article_id)))


def _apply(article: Article, body: dict) -> None:
    errors: dict[str, str] = {}
    title = text_field(body, "title", errors, max_length=200, min_length=3)
    text = text_field(body, "body", errors, max_length=20_000, min_length=10)
    product_id = int_field(body, "product_id", errors, required=False)
    words = {}
    for name in ("tags", "keywords"):
        value = body.get(name, [])
        if not isinstance(value, list) or not all(isinstance(w, str) and 0 < len(clean_text(w)) <= 60 for w in value):
            errors[name] = "must be a list of strings of 1 to 60 characters"
        else:
            words[name] = sorted({clean_text(w).lower() for w in value})[:20]
    if product_id is not None and db().get(Product, product_id) is None:
        errors["product_id"] = f"no product {product_id}"
    if errors:
        raise invalid(errors)
    session = db()
    article.title, article.body, article.product_id = title, text, product_id
    article.updated_at = dt.datetime.now()
    article.tags = [_get_or_create(session, Tag, "name", w) for w in words["tags"]]
    article.keywords = [_get_or_create(session, Keyword, "word", w) for w in words["keywords"]]


def _get_or_create(session, model, field: str, value: str):
    existing = session.scalar(select(model).where(getattr(model, field) == value))
    if existing is None:
        existing = model(**{field: value})
        session.add(existing)
    return existing


@grant(**WRITERS)
def create():
    article = Article(created_at=dt.datetime.now())
    _apply(article, json_body())
    db().add(article)
    db().commit()
    return jsonify(s.article(article)), 201


@grant(**WRITERS)
def replace(article_id: int):
    """A legacy edit. Refused once the knowledge service took its copy (it is the master then): an
    edit accepted here would never reach the articles experts read."""
    session = db()
    article = session.scalar(select(Article).where(Article.id == article_id).with_for_update())
    if article is None:
        raise Problem(404, "Not Found", f"no article {article_id}")
    if article.frozen_at is not None:
        raise Problem(409, "Conflict", f"article {article_id} is kept by the knowledge service now: edit it there",
                      kind="article-migrated")
    _apply(article, json_body())
    session.commit()
    return jsonify(s.article(article))


def _records(article_ids: list[int]) -> tuple[list[dict], list[int]]:
    rows = list(db().scalars(select(Article).options(selectinload(Article.tags), selectinload(Article.keywords))
                             .where(Article.id.in_(article_ids)).order_by(Article.id)
                             .execution_options(populate_existing=True)))
    found = {r.id for r in rows}
    return [s.article(r) for r in rows], [i for i in article_ids if i not in found]


@grant(services=MIGRATORS)
def ids():
    """Ids of the articles not yet marked migrated (`migrated=false`) or of all, in order, one page."""
    return ids_page(Article, MAX_IDS)


@grant(services=(*MIGRATORS, "reports"))
def stats():
    return handover_stats(Article)


@grant(services=MIGRATORS)
def freeze():
    """Take the copy: lock the rows (id order), refuse every later legacy edit, return them as they are,
    in one transaction. Idempotent: a frozen article keeps its first freeze time and content."""
    return freeze_rows(Article, id_list(json_body().get("ids"), MAX_IDS), _records)


@grant(services=MIGRATORS)
def mark():
    article_ids = id_list(json_body().get("ids"), MAX_IDS)
    mark_rows(Article, article_ids)
    return jsonify(items=article_ids)


@grant(services=("knowledge", "backfill"))
def release():
    """A rollback's last step: these articles unfrozen and unmarked, the legacy KB's own again (its
    screens edit them; a later take-over copies them afresh). Idempotent."""
    article_ids = id_list(json_body().get("ids"), MAX_IDS)
    session = db()
    session.execute(update(Article).where(Article.id.in_(article_ids)).values(frozen_at=None, migrated_at=None))
    session.commit()
    return jsonify(items=article_ids)


@grant(services=(*MIGRATORS, "reports"))
def checksums():
    """Every article's content checksum (bridge_client.article_checksum) with its marks, a page at a time,
    for reconciliation."""
    page = page_request()
    rows = list(db().scalars(select(Article).options(selectinload(Article.tags), selectinload(Article.keywords))
                             .where(Article.id > page.after_id).order_by(Article.id).limit(page.limit + 1)))
    rows, cursor = page_of(rows, page)
    return jsonify(items=[{"id": r.id, "checksum": article_checksum(s.article(r)), "frozen_at": s.iso(r.frozen_at),
                           "migrated_at": s.iso(r.migrated_at)} for r in rows], next_cursor=cursor)


@grant(services=("knowledge",))
def published(article_id: int):
    """The knowledge service writes each published version back (upsert by id, so an article first
    written in the new system appears here too): old readers of the KB and the legacy screens stay
    current while clients move. The row stays frozen for legacy edits."""
    session = db()
    article = session.scalar(select(Article).where(Article.id == article_id).with_for_update())
    now = dt.datetime.now().replace(microsecond=0)
    created = article is None
    if created:
        article = Article(id=article_id, created_at=now, frozen_at=now, migrated_at=now)
    _apply(article, json_body())  # (validates before the new row joins the session: no half row is flushed)
    if created:
        session.add(article)
    article.frozen_at = article.frozen_at or now
    article.migrated_at = article.migrated_at or now
    session.commit()
    return jsonify(s.article(article))
