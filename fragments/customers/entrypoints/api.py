"""The customers JSON API: our services read customers, contracts, coverage and the catalogue here
when the graph does not hold a customer yet (it is copied on that first read); staff and customers
read and change contact details. Errors are RFC 9457 problem bodies."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, jsonify, request

from foundation.problems import field_errors, problem_response
from foundation.vocabulary import STAFF_ROLES, STAFF_WRITERS
from fragments.kit.auth import allow, current, require_customer
from fragments.kit.bootstrap import services

from ..domain.contact import FIELDS, InvalidContact
from ..services.ports import CustomerChanged, CustomerMissing, LegacyUnavailable, StoreUnavailable
from ..wiring import CustomersService

bp = Blueprint("api", __name__)
# Every service of ours that needs to know who a customer is, what they hold, or what we sell.
READERS = ("ticketing", "experts", "reports", "knowledge", "notifications", "shell", "backfill")
PEOPLE = (*STAFF_ROLES, "customer")
EVERYONE = (*STAFF_ROLES, "customer", "expert")


def _c() -> CustomersService:
    return services(CustomersService)


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        abort(problem_response(400, "Bad Request", f"{name} must be a positive integer", kind="invalid-parameter"))
    return int(raw)


def _day_arg() -> dt.date:
    raw = request.args.get("on")
    if not raw:
        return _c().directory.clock().date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        abort(problem_response(400, "Bad Request", "'on' must be a date like 2026-12-04", kind="invalid-parameter"))


@bp.get("/customers/<int:customer_id>")
@allow(services=READERS, roles=PEOPLE)
def customer(customer_id: int):
    require_customer(customer_id)
    return jsonify(_c().directory.customer(customer_id))


@bp.get("/customers/<int:customer_id>/contracts")
@allow(services=READERS, roles=PEOPLE)
def contracts(customer_id: int):
    require_customer(customer_id)
    return jsonify(items=_c().customers.contracts(customer_id))


@bp.get("/customers/<int:customer_id>/covered-products")
@allow(services=READERS, roles=PEOPLE)
def covered_products(customer_id: int):
    require_customer(customer_id)
    return jsonify(items=_c().directory.covered_products(customer_id, _day_arg()))


@bp.get("/coverage")
@allow(services=READERS, roles=PEOPLE)
def coverage():
    """Is product P covered for customer C on date D (default today)? Names the covering contract."""
    customer_id, product_id, day = _int_arg("customer_id"), _int_arg("product_id"), _day_arg()
    require_customer(customer_id)
    contract = _c().directory.covering(customer_id, product_id, day)
    return jsonify(customer_id=customer_id, product_id=product_id, on=day.isoformat(), covered=contract is not None,
                   contract_id=contract["id"] if contract else None)


@bp.get("/customers")
@allow(services=READERS, roles=STAFF_ROLES)
def search():
    """?q=: every word in some field, a phone number or postcode however spaced, or the number."""
    return jsonify(items=_c().directory.search(request.args.get("q", "")))


@bp.put("/customers/<int:customer_id>/contact")
@allow(roles=(*STAFF_WRITERS, "customer"))
def change_contact(customer_id: int):
    """The whole contact (email, phone, address_line, city, postcode) and the
    `version` it was read at: 200 with the customer; 409 if someone saved since; 422 per field."""
    require_customer(customer_id)
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem_response(400, "Bad Request", "the body must be a JSON object", kind="invalid-json")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return _invalid({"version": "the version you read, a positive integer"})
    values = {name: body.get(name) for name in FIELDS}
    if not all(v is None or isinstance(v, str) for v in values.values()):
        return _invalid({name: "must be a string" for name, v in values.items() if v is not None and not isinstance(v, str)})
    try:
        saved = _c().directory.change_contact(customer_id, values, expected_version=version, by=current().subject)
    except InvalidContact as exc:
        return _invalid(exc.errors)
    except CustomerChanged as exc:
        return problem_response(409, "Conflict", str(exc), kind="customer-changed")
    return jsonify(saved)


def _invalid(errors: dict[str, str]):
    return problem_response(422, "Unprocessable Content", "the contact details have invalid fields", kind="validation",
                            errors=field_errors(errors))


@bp.get("/catalogue/<kind>")
@allow(services=READERS, roles=EVERYONE)
def catalogue(kind: str):
    lists = {"products": _c().catalogue.products, "plans": _c().catalogue.plans, "locales": _c().catalogue.locales}
    if kind not in lists:
        return problem_response(404, "Not Found", f"no catalogue list '{kind}': products, plans or locales")
    return jsonify(items=lists[kind]())


@bp.errorhandler(CustomerMissing)
def missing(exc: CustomerMissing):
    return problem_response(404, "Not Found", str(exc))


@bp.errorhandler(LegacyUnavailable)
def legacy_unavailable(exc: LegacyUnavailable):
    response = problem_response(503, "Service Unavailable", "this customer has not moved to the customers service "
                                "yet and the legacy system does not answer: try again in a moment",
                                kind="legacy-unavailable")
    response.headers["Retry-After"] = "5"
    return response


@bp.errorhandler(StoreUnavailable)
def store_unavailable(exc: StoreUnavailable):
    response = problem_response(503, "Service Unavailable", "customer records cannot be read right now: try again "
                                "in a moment", kind="store-unavailable")
    response.headers["Retry-After"] = "5"
    return response
