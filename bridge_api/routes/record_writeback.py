"""The new services write the records they own back into the legacy schema, so the monolith's own
screens, old readers of the Sunset routes and a rollback see what they see (docs/adr/0026):

- `PUT /handover/<kind>/<id>` products, plans, locales and contracts, created or changed by the
  customers service (a contract goes with its customer, who must have been taken over)
- `PUT /experts/<id>`          an expert created or (de)activated by the experts service
- `PUT /handover/accounts/<id>` a login account as the identity service holds it (its upgraded or changed
  password hash above all), for a rollback of sign-in (docs/adr/0032)

Each body is the whole record in the published shape (what a freeze returns, without id and checksum),
so repeating it writes the same row: the writer retries until it is answered. A row written here is
born frozen and marked: the legacy screens never edit it. A row the monolith still owns (never frozen)
is refused (409), as is a record whose unique code or reference another row holds.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from foundation.problems import Problem
from foundation.vocabulary import ROLES
from shell_app.models import Contract, Customer, Expert, Locale, Plan, Product, UserAccount

from .. import serializers as s
from ..auth import grant
from ._common import db, int_field, invalid, json_body, text_field

CONTRACT_STATUSES = ("active", "expired", "cancelled")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/handover/<kind>/<int:record_id>", "handover_write_back", write_record, methods=["PUT"])
    bp.add_url_rule("/experts/<int:expert_id>", "expert_write_back", write_expert, methods=["PUT"])
    bp.add_url_rule("/handover/accounts/<int:account_id>", "account_write_back", write_account, methods=["PUT"])


def _ids(body: dict, name: str, model, errors: dict[str, str]) -> list:
    values = body.get(name)
    if not isinstance(values, list) or len(values) > 500 or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in values):
        errors[name] = "must be a list of positive integers"
        return []
    rows = list(db().scalars(select(model).where(model.id.in_(values)).order_by(model.id))) if values else []
    if len(rows) != len(set(values)):
        errors[name] = f"names a record the legacy database does not have: {sorted(set(values) - {r.id for r in rows})}"
    return rows


def _date(body: dict, name: str, errors: dict[str, str], required: bool = True) -> dt.date | None:
    value = body.get(name)
    if value is None and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        errors[name] = "must be a date like 2027-01-01"
        return None


def _product(row: Product, body: dict, errors: dict[str, str]) -> None:
    row.sku = text_field(body, "sku", errors, max_length=32)
    row.name = text_field(body, "name", errors, max_length=120)
    row.category = text_field(body, "category", errors, max_length=60)
    row.manufacturer = text_field(body, "manufacturer", errors, max_length=60)


def _locale(row: Locale, body: dict, errors: dict[str, str]) -> None:
    row.code = text_field(body, "code", errors, max_length=16)
    row.name = text_field(body, "name", errors, max_length=80)
    row.region = text_field(body, "region", errors, max_length=80)


def _plan(row: Plan, body: dict, errors: dict[str, str]) -> None:
    row.code = text_field(body, "code", errors, max_length=32)
    row.name = text_field(body, "name", errors, max_length=120)
    price = body.get("monthly_price_cents")
    if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price < 2**31:
        errors["monthly_price_cents"] = "must be a whole number of pence, 0 or more"
    else:
        row.monthly_price_cents = price
    row.max_open_tickets = int_field(body, "max_open_tickets", errors) or 0
    row.products = _ids(body, "product_ids", Product, errors)


def _contract(row: Contract, body: dict, errors: dict[str, str]) -> None:
    customer = db().get(Customer, body.get("customer_id")) if isinstance(body.get("customer_id"), int) else None
    if customer is None or customer.frozen_at is None:
        errors["customer_id"] = "must name a customer the customers service has taken over"
    elif row.customer_id is not None and row.customer_id != customer.id:
        errors["customer_id"] = "a contract stays with the customer it was sold to"
    else:
        row.customer_id = customer.id
    row.reference = text_field(body, "reference", errors, max_length=24)
    plan = db().get(Plan, body.get("plan_id")) if isinstance(body.get("plan_id"), int) else None
    if plan is None:
        errors["plan_id"] = "must name a plan the legacy database has (write the plan back first)"
    else:
        row.plan_id = plan.id
    row.start_date = _date(body, "start_date", errors)
    row.end_date = _date(body, "end_date", errors, required=False)
    status = body.get("status")
    if status not in CONTRACT_STATUSES:
        errors["status"] = f"one of {', '.join(CONTRACT_STATUSES)}"
    else:
        row.status = status
    row.products = _ids(body, "product_ids", Product, errors)


# Per kind: the model, how a body fills a row, and what the answer shows.
KINDS: dict[str, tuple[Any, Callable, Callable]] = {
    "products": (Product, _product, lambda r: s.handover(r, s.product(r))),
    "plans": (Plan, _plan, lambda r: s.handover(r, s.plan_content(r))),
    "locales": (Locale, _locale, lambda r: s.handover(r, s.locale(r))),
    "contracts": (Contract, _contract, lambda r: {"id": r.id, "reference": r.reference, "customer_id": r.customer_id,
                                                  "plan_id": r.plan_id, "start_date": s.iso(r.start_date),
                                                  "end_date": s.iso(r.end_date), "status": r.status,
                                                  "product_ids": [p.id for p in r.products]}),
}


def _upsert(model, record_id: int, fill: Callable, shown: Callable, frozen: bool):
    body = json_body()
    session = db()
    row = session.scalar(select(model).where(model.id == record_id).with_for_update())
    if row is None:
        row = model(id=record_id)
        if frozen:
            now = dt.datetime.now().replace(microsecond=0)
            row.frozen_at, row.migrated_at = now, now
        session.add(row)
    elif frozen and row.frozen_at is None:
        session.rollback()
        raise Problem(409, "Conflict", f"record {record_id} is still the monolith's: take it over before writing it "
                                       "back", kind="not-migrated")
    errors: dict[str, str] = {}
    with session.no_autoflush:
        fill(row, body, errors)
    if errors:
        session.rollback()
        raise invalid(errors)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Problem(409, "Conflict", "another legacy record holds this code or reference",
                      kind="duplicate-code") from exc
    return jsonify(shown(row))


@grant(services=("customers", "backfill"))
def write_record(kind: str, record_id: int):
    if kind not in KINDS:
        raise Problem(404, "Not Found", f"no write-back of '{kind}': one of {', '.join(KINDS)}")
    model, fill, shown = KINDS[kind]
    return _upsert(model, record_id, fill, shown, frozen=kind != "contracts")


def _expert(row: Expert, body: dict, errors: dict[str, str]) -> None:
    row.employee_number = text_field(body, "employee_number", errors, max_length=16)
    row.first_name = text_field(body, "first_name", errors, max_length=80)
    row.last_name = text_field(body, "last_name", errors, max_length=80)
    row.email = text_field(body, "email", errors, max_length=200)
    row.phone = text_field(body, "phone", errors, max_length=40)
    row.hired_on = _date(body, "hired_on", errors, required=False) or row.hired_on or dt.date.today()
    if not isinstance(body.get("active"), bool):
        errors["active"] = "must be true or false"
    else:
        row.active = body["active"]


@grant(services=("experts", "backfill"))
def write_expert(expert_id: int):
    """The experts service's record of an expert (ADR 0005: their profile is the graph's); the monolith's
    row keeps names, contact and `active` current for its screens, its sign-in links and a rollback."""
    return _upsert(Expert, expert_id, _expert, lambda r: {"id": r.id, "employee_number": r.employee_number,
                                                            "active": r.active}, frozen=False)


def _account(row: UserAccount, body: dict, errors: dict[str, str]) -> None:
    row.username = text_field(body, "username", errors, max_length=80)
    row.display_name = text_field(body, "display_name", errors, max_length=160)
    digest = body.get("password_hash")
    if not isinstance(digest, str) or not digest.startswith("scrypt$") or len(digest) > 255:
        errors["password_hash"] = "must be a scrypt hash as the monolith stores them"
    else:
        row.password_hash = digest
    if body.get("role") not in ROLES:
        errors["role"] = f"one of {', '.join(ROLES)}"
    else:
        row.role = body["role"]
    for name, model in (("customer_id", Customer), ("expert_id", Expert)):
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or db().get(model, value) is None):
            errors[name] = "must name a record the legacy database has, or be null"
        else:
            setattr(row, name, value)
    if not isinstance(body.get("active"), bool):
        errors["active"] = "must be true or false"
    else:
        row.active = body["active"]
    if row.created_at is None:
        row.created_at = dt.datetime.now().replace(microsecond=0)


@grant(services=("identity", "backfill"))
def write_account(account_id: int):
    """A login account as the identity service holds it, whole (a repeat writes the same row), so a
    rollback of sign-in leaves the monolith every password as it is now. The row stays frozen until the
    rollback releases it."""
    return _upsert(UserAccount, account_id, _account, lambda r: s.handover(r, s.account_content(r)), frozen=True)
