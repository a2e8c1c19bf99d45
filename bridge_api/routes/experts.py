from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from foundation.problems import Problem
from shell_app.models import Expert, ExpertLocale, ExpertSkill

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant, require_expert_access
from ..paging import int_arg, page_of, page_request
from ._common import db, listing

LOADS = (selectinload(Expert.skills), selectinload(Expert.locales), selectinload(Expert.weekly_availability),
         selectinload(Expert.time_off))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/experts", "experts_list", list_experts)
    bp.add_url_rule("/experts/<int:expert_id>", "expert_get", get)


@grant(roles=STAFF, services=SERVICES)
def list_experts():
    page = page_request()
    product_id, locale_id = int_arg("product_id"), int_arg("locale_id")
    query = select(Expert).options(*LOADS).where(Expert.id > page.after_id).order_by(Expert.id).limit(page.limit + 1)
    if product_id:
        query = query.where(Expert.id.in_(select(ExpertSkill.expert_id).where(ExpertSkill.product_id == product_id)))
    if locale_id:
        query = query.where(Expert.id.in_(select(ExpertLocale.expert_id).where(ExpertLocale.locale_id == locale_id)))
    rows, cursor = page_of(list(db().scalars(query)), page)
    return listing([s.expert(r) for r in rows], cursor)


@grant(roles=(*STAFF, "expert"), services=(*SERVICES, "notifications"))  # notifications: the address
def get(expert_id: int):
    require_expert_access(expert_id)
    row = db().get(Expert, expert_id, options=LOADS)
    if row is None:
        raise Problem(404, "Not Found", f"no expert {expert_id}")
    return jsonify(s.expert(row))
