from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from foundation.problems import Problem
from shell_app.models import Locale, Product

from .. import serializers as s
from ..auth import ANY, grant
from ._common import db, listing, until_sunset
from .customers import SUNSET

_until_sunset = until_sunset(SUNSET, '</fragments/customers/api/v1/catalogue/products>; rel="successor-version"')


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/products", "products_list", _until_sunset(products))
    bp.add_url_rule("/products/<int:product_id>", "product_get", _until_sunset(product))
    bp.add_url_rule("/locales", "locales_list", _until_sunset(locales))


@grant(roles=(ANY,))
def products():
    return listing([s.product(p) for p in db().scalars(select(Product).order_by(Product.id))], None)


@grant(roles=(ANY,))
def product(product_id: int):
    row = db().get(Product, product_id)
    if row is None:
        raise Problem(404, "Not Found", f"no product {product_id}")
    return jsonify(s.product(row))


@grant(roles=(ANY,))
def locales():
    return listing([s.locale(l) for l in db().scalars(select(Locale).order_by(Locale.id))], None)
