from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select

from foundation.problems import Problem
from shell_app.forms import clean_text
from shell_app.models import Customer

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant, require_customer_access
from ..paging import int_arg, page_of, page_request
from ._common import db, listing, until_sunset

# Customers, their contracts and coverage belong to the customers service since iteration 4 (ADR 0025);
# these routes keep serving old clients (from rows it writes back) until this date.
SUNSET = "Fri, 31 Dec 2027 23:59:59 GMT"
_until_sunset = until_sunset(SUNSET, '</fragments/customers/api/v1/customers>; rel="successor-version"')

READERS = dict(roles=(*STAFF, "customer"), services=SERVICES)
# The notifications service reads one customer at a time (their address), nothing else of the monolith.
CONTACT_READERS = dict(roles=(*STAFF, "customer"), services=(*SERVICES, "notifications"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/customers", "customers_search", _until_sunset(search))
    bp.add_url_rule("/customers/<int:customer_id>", "customer_get", _until_sunset(get))
    bp.add_url_rule("/customers/<int:customer_id>/contracts", "customer_contracts", _until_sunset(contracts))
    bp.add_url_rule("/coverage", "coverage", _until_sunset(coverage))


@grant(roles=STAFF, services=SERVICES)
def search():
    page = page_request()
    query = select(Customer).where(Customer.id > page.after_id).order_by(Customer.id).limit(page.limit + 1)
    text = clean_text(request.args.get("q"), 100)
    if text:
        like = f"%{text}%"
        query = query.where(or_(Customer.last_name.ilike(like), Customer.first_name.ilike(like),
                                Customer.email.ilike(like), Customer.phone.ilike(like),
                                Customer.postcode.ilike(like)))
    rows, cursor = page_of(list(db().scalars(query)), page)
    return listing([s.customer(r) for r in rows], cursor)


def _customer(customer_id: int) -> Customer:
    require_customer_access(customer_id)
    row = db().get(Customer, customer_id)
    if row is None:
        raise Problem(404, "Not Found", f"no customer {customer_id}")
    return row


@grant(**CONTACT_READERS)
def get(customer_id: int):
    return jsonify(s.customer(_customer(customer_id)))


@grant(**READERS)
def contracts(customer_id: int):
    return jsonify(items=[s.contract(c) for c in _customer(customer_id).contracts], next_cursor=None)


@grant(**READERS)
def coverage():
    """Is product P covered for customer C on date D (default today)? Names the covering contract."""
    customer_id, product_id = int_arg("customer_id", required=True), int_arg("product_id", required=True)
    raw_date = request.args.get("on")
    try:
        on = dt.date.fromisoformat(raw_date) if raw_date else dt.date.today()
    except ValueError as exc:
        raise Problem(400, "Bad Request", "'on' must be a date like 2026-11-25", kind="invalid-parameter") from exc
    customer = _customer(customer_id)
    covering = next((c for c in customer.contracts if c.covers(product_id, on)), None)
    return jsonify(customer_id=customer_id, product_id=product_id, on=on.isoformat(),
                   covered=covering is not None, contract_id=covering.id if covering else None)


