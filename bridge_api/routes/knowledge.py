from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from foundation.problems import Problem
from shell_app.forms import clean_text
from shell_app.models import Article, Keyword, Product, Tag, article_keywords

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant
from ..paging import int_arg
from ._common import db, int_field, invalid, json_body, listing, text_field

READERS = dict(roles=(*STAFF, "expert"), services=SERVICES)
WRITERS = dict(roles=("admin",), services=("experts", "ticketing"))
CANDIDATES = 500
WEIGHTS = {"title": 3.0, "keyword": 2.0, "tag": 1.0, "body": 1.0, "product": 2.0}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/kb/articles", "kb_search", search)
    bp.add_url_rule("/kb/articles", "kb_create", create, methods=["POST"])
    bp.add_url_rule("/kb/articles/<int:article_id>", "kb_get", get)
    bp.add_url_rule("/kb/articles/<int:article_id>", "kb_update", replace, methods=["PUT"])


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
    article = _article(article_id)
    _apply(article, json_body())
    db().commit()
    return jsonify(s.article(article))
