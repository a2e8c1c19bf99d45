from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import or_, select

from ..access import allow
from ..composition.slots import enabled
from ..forms import clean_text
from ..models import Article, Keyword, article_keywords
from ._paging import current_page

bp = Blueprint("kb", __name__, url_prefix="/kb")
KB_ROLES = ("call_centre", "manager", "admin", "expert")


@bp.get("")
@allow(*KB_ROLES)
def search():
    query = clean_text(request.args.get("q"), 100)
    page = current_page()
    articles: list[Article] = []
    if query and not enabled("knowledge"):  # else the knowledge fragment searches
        like = f"%{query.lower()}%"
        by_keyword = select(article_keywords.c.article_id).join(Keyword).where(Keyword.word.ilike(like))
        articles = list(g.db.scalars(
            select(Article).where(or_(Article.title.ilike(like), Article.body.ilike(like), Article.id.in_(by_keyword)))
            .order_by(Article.title, Article.id).offset(page.offset).limit(page.size + 1)
        ))
    return render_template("shell/kb_search.html", query=query, articles=articles[: page.size],
                           has_more=len(articles) > page.size, page=page)


@bp.get("/<int:article_id>")
@allow(*KB_ROLES)
def article(article_id: int):
    """With the knowledge service installed, the page embeds its article (which may exist only there:
    written in the new system); else the legacy row."""
    found = None if enabled("knowledge") else (g.db.get(Article, article_id) or abort(404))
    return render_template("shell/kb_article.html", article=found, article_id=article_id)


@bp.get("/proposals")
@allow("admin")
def proposals():
    return render_template("shell/kb_proposals.html")
