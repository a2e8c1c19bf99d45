from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import func, select

from foundation.vocabulary import LEGACY_HOLDING

from ..access import allow
from ..models import Expert, ExpertLocale, ExpertSkill, LegacyTicket, Locale, Product
from ._paging import current_page

bp = Blueprint("experts", __name__, url_prefix="/experts")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if (value.isascii() and value.isdigit()) and len(value) < 10 else None


@bp.get("")
@allow("admin")
def index():
    page = current_page()
    product_id, locale_id = _int_arg("product_id"), _int_arg("locale_id")
    query = select(Expert).order_by(Expert.last_name, Expert.id)
    if product_id:
        query = query.where(Expert.id.in_(select(ExpertSkill.expert_id).where(ExpertSkill.product_id == product_id)))
    if locale_id:
        query = query.where(Expert.id.in_(select(ExpertLocale.expert_id).where(ExpertLocale.locale_id == locale_id)))
    experts = list(g.db.scalars(query.offset(page.offset).limit(page.size + 1)))
    return render_template(
        "shell/expert_list.html", experts=experts[: page.size], has_more=len(experts) > page.size, page=page,
        products=g.db.scalars(select(Product).order_by(Product.name)).all(),
        locales=g.db.scalars(select(Locale).order_by(Locale.name)).all(),
        product_id=product_id, locale_id=locale_id,
    )


@bp.get("/<int:expert_id>")
@allow("admin")
def detail(expert_id: int):
    expert = g.db.get(Expert, expert_id) or abort(404)
    open_load = g.db.scalar(
        select(func.count()).select_from(LegacyTicket)
        .where(LegacyTicket.assigned_expert_id == expert_id, LegacyTicket.status.in_(LEGACY_HOLDING))
    )
    return render_template("shell/expert_detail.html", expert=expert, open_load=open_load)
