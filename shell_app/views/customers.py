from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import or_, select

from ..forms import clean_text
from ..models import STAFF_ROLES, Customer, LegacyTicket
from ..security import allow
from ._paging import current_page

bp = Blueprint("customers", __name__, url_prefix="/customers")


@bp.get("")
@allow(*STAFF_ROLES)
def search():
    query = clean_text(request.args.get("q"), 100)
    page = current_page()
    customers: list[Customer] = []
    if query:
        like = f"%{query.lower()}%"
        conditions = [Customer.last_name.ilike(like), Customer.first_name.ilike(like),
                      Customer.email.ilike(like), Customer.phone.ilike(like), Customer.postcode.ilike(like)]
        if query.isascii() and query.isdigit():
            conditions.append(Customer.id == int(query[:9]))
        customers = list(g.db.scalars(
            select(Customer).where(or_(*conditions)).order_by(Customer.last_name, Customer.id)
            .offset(page.offset).limit(page.size + 1)
        ))
    has_more = len(customers) > page.size
    return render_template("shell/customer_search.html", query=query, customers=customers[: page.size],
                           page=page, has_more=has_more)


@bp.get("/<int:customer_id>")
@allow(*STAFF_ROLES)
def detail(customer_id: int):
    customer = g.db.get(Customer, customer_id) or abort(404)
    tickets = g.db.scalars(
        select(LegacyTicket).where(LegacyTicket.customer_id == customer_id)
        .order_by(LegacyTicket.created_at.desc()).limit(100)
    ).all()
    return render_template("shell/customer_detail.html", customer=customer, tickets=tickets)
