"""The knowledge base's pages, embedded in the legacy KB screens: search, article, new version,
history, and the admins' review of proposals. Who acts comes from the verified token only."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from foundation.parsing import parse_digits
from foundation.vocabulary import STAFF_ROLES
from fragments.kit.auth import allow, current, forwarded_csrf
from fragments.kit.bootstrap import services

from ..domain.drafts import InvalidArticle, steps_of
from ..services.knowledge import KnowledgeBase, NotAllowed, ProposalClosed
from ..services.ports import ArticleChanged, ArticleMissing, LegacyUnavailable

bp = Blueprint("views", __name__)
READERS = (*STAFF_ROLES, "expert")
WRITERS = ("admin", "expert")
ADMIN = ("admin",)
MAX_QUERY = 200


def _kb() -> KnowledgeBase:
    return services(KnowledgeBase)


def _page(template: str, status: int = 200, **context: Any):
    principal = current()
    return render_template(template, csrf=forwarded_csrf(), role=principal.role, user=principal.subject,
                           products=_kb().product_names(), **context), status


def _article_or_404(article_id: int) -> dict[str, Any]:
    try:
        return _kb().read(article_id)
    except ArticleMissing:
        abort(404, description="There is no such article.")
    except LegacyUnavailable:  # not copied yet, and the monolith is not answering
        abort(503, description="This article is still in the legacy system, which is not answering. Try again "
                               "in a moment.")


@bp.get("/search")
@allow(roles=READERS)
def search():
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    product_id = parse_digits(request.args.get("product_id", ""))
    results = _kb().search(query, product_id) if query or product_id else []
    return _page("knowledge/search.html", query=query, product_id=product_id, results=results,
                 catalogue=_kb().products())


@bp.get("/articles/<int:article_id>")
@allow(roles=READERS)
def article(article_id: int, message: str = "", status: int = 200):
    return _page("knowledge/article.html", status, article=_article_or_404(article_id), message=message)


def _form_fields() -> dict[str, Any]:
    return {name: request.form.get(name, "") for name in ("title", "product_id", "symptoms", "steps", "tags",
                                                          "keywords")}


def _edit_page(article: dict[str, Any] | None, fields: dict[str, Any], errors: dict[str, str], status: int = 200,
               message: str = ""):
    return _page("knowledge/edit.html", status, article=article, fields=fields, errors=errors, message=message,
                 catalogue=_kb().products())


def _fields_of(article: dict[str, Any]) -> dict[str, Any]:
    return {"title": article["title"], "product_id": article.get("product_id") or "",
            "symptoms": article.get("symptoms") or "", "steps": article.get("steps") or "",
            "tags": ", ".join(article.get("tags") or []), "keywords": ", ".join(article.get("keywords") or [])}


@bp.get("/articles/new")
@allow(roles=WRITERS)
def new_article():
    return _edit_page(None, {}, {})


@bp.post("/articles/new")
@allow(roles=WRITERS)
def create_article():
    fields = _form_fields()
    principal = current()
    try:
        done = _kb().create(fields, actor=principal.subject, role=principal.role, note=request.form.get("note", ""))
    except InvalidArticle as exc:
        return _edit_page(None, fields, exc.errors, 422)
    except NotAllowed:
        abort(403)
    if done["published"]:
        return article(done["article_id"], "Article published.", 201)
    return _page("knowledge/proposed.html", 201, article=None)


@bp.get("/articles/<int:article_id>/edit")
@allow(roles=WRITERS)
def edit_article(article_id: int):
    found = _article_or_404(article_id)
    return _edit_page(found, _fields_of(found), {})


@bp.post("/articles/<int:article_id>/edit")
@allow(roles=WRITERS)
def save_article(article_id: int):
    found = _article_or_404(article_id)
    fields = _form_fields()
    expected = parse_digits(request.form.get("version", ""))
    if expected is None:
        return _edit_page(found, fields, {"form": "This form is incomplete: reload the article and edit again."}, 422)
    principal = current()
    try:
        done = _kb().edit(article_id, fields, expected_version=expected, actor=principal.subject, role=principal.role,
                          note=request.form.get("note", ""))
    except InvalidArticle as exc:
        return _edit_page(found, fields, exc.errors, 422)
    except ArticleChanged:
        latest = _article_or_404(article_id)
        return _edit_page(latest, fields, {"form": f"Someone published version {latest['version']} while you were "
                                                   "editing. Your text is kept below: compare with the article and "
                                                   "save again."}, 409)
    except NotAllowed:
        abort(403)
    if done["published"]:
        return article(article_id, f"Version {done['version']} published.")
    return _page("knowledge/proposed.html", 201, article=found)


@bp.get("/articles/<int:article_id>/history")
@allow(roles=READERS)
def history(article_id: int):
    found = _article_or_404(article_id)
    return _page("knowledge/history.html", article=found, versions=_kb().history(article_id))


@bp.get("/proposals")
@allow(roles=ADMIN)
def proposals(message: str = "", status: int = 200, errors: dict[str, str] | None = None):
    return _page("knowledge/proposals.html", status, proposals=_kb().proposals(), message=message,
                 errors=errors or {})


def _decision(key: str, decide) -> tuple[str, int, dict[str, str]]:
    try:
        return decide(), 200, {}
    except ArticleMissing:
        abort(404, description="There is no such proposal.")
    except ProposalClosed as exc:
        return str(exc).capitalize() + ".", 409, {}
    except ArticleChanged:
        return "The article changed while approving: review the proposal again.", 409, {}
    except InvalidArticle as exc:
        return "", 422, {key: exc.errors["reason"]}


@bp.post("/proposals/<key>/approve")
@allow(roles=ADMIN)
def approve(key: str):
    principal = current()

    def decide() -> str:
        done = _kb().approve(key, actor=principal.subject, role=principal.role)
        return f"Approved: article {done['article_id']} is at version {done['version']}."

    message, status, errors = _decision(key, decide)
    return proposals(message, status, errors)


@bp.post("/proposals/<key>/reject")
@allow(roles=ADMIN)
def reject(key: str):
    principal = current()

    def decide() -> str:
        _kb().reject(key, actor=principal.subject, role=principal.role, reason=request.form.get("reason", ""))
        return "Rejected; the expert's text is kept in the article's history."

    message, status, errors = _decision(key, decide)
    return proposals(message, status, errors)


@bp.app_template_filter("article_url")
def article_url(article_id: int) -> str:
    """The legacy KB screen of an article (which embeds this fragment's article page)."""
    return f"/kb/{int(article_id)}"


@bp.app_template_filter("steps")
def steps(text: str | None) -> list[str]:
    return steps_of(text or "")
