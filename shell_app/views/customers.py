from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import and_, func, or_, select

from ..access import allow
from ..composition.inline import prefetch
from ..composition.slots import enabled as fragment_enabled
from ..forms import clean_text
from ..models import STAFF_ROLES, Customer, LegacyTicket
from ._paging import current_page

bp = Blueprint("customers", __name__, url_prefix="/customers")


def _squashed(column):
    """The column without spaces and in lower case: phone numbers and postcodes are typed every way."""
    return func.lower(func.replace(column, " ", ""))


def matches(query: str):
    """Every word of the query matches some field ("Mia Jones", "jones mia"); a phone number or a
    postcode matches whatever its spacing or case ("07700900123", "sw1a 1aa"); digits alone also match
    the customer number."""
    squashed = query.replace(" ", "").lower()
    whole = [_squashed(Customer.phone).contains(squashed, autoescape=True),
             _squashed(Customer.postcode).contains(squashed, autoescape=True)]
    if query.isascii() and query.isdigit():
        whole.append(Customer.id == int(query[:9]))
    fields = (Customer.first_name, Customer.last_name, Customer.email, Customer.phone, Customer.postcode)
    per_word = [or_(*(column.icontains(word, autoescape=True) for column in fields)) for word in query.split()]
    return or_(*whole, and_(*per_word))


@bp.get("")
@allow(*STAFF_ROLES)
def search():
    query = clean_text(request.args.get("q"), 100)
    page = current_page()
    customers: list[Customer] = []
    if query:
        customers = list(g.db.scalars(
            select(Customer).where(matches(query)).order_by(Customer.last_name, Customer.id)
            .offset(page.offset).limit(page.size + 1)
        ))
    has_more = len(customers) > page.size
    return render_template("shell/customer_search.html", query=query, customers=customers[: page.size],
                           page=page, has_more=has_more)


@bp.get("/<int:customer_id>")
@allow(*STAFF_ROLES)
def detail(customer_id: int):
    customer = g.db.get(Customer, customer_id) or abort(404)
    prefetch("ticketing", "customer-tickets", {"customer_id": customer_id})  # answers while we read below
    query = select(LegacyTicket).where(LegacyTicket.customer_id == customer_id)
    if fragment_enabled("ticketing"):
        # Tickets already in the new ticketing are in its panel: each ticket is listed once.
        query = query.where(LegacyTicket.migrated_at.is_(None))
    tickets = g.db.scalars(query.order_by(LegacyTicket.created_at.desc()).limit(100)).all()
    return render_template("shell/customer_detail.html", customer=customer, tickets=tickets)
