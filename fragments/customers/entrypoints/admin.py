"""The admins' catalogue page (embedded in the legacy Catalogue screen): products, plans with what each
covers and promises, locales; create, edit, retire, and change a plan's terms from a day on. Staff sell
a plan to a customer from the customer's page. Every form re-renders with a message per field and
stores nothing when something is wrong; a form older than the record it edits is refused."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, abort, render_template, request

from foundation.vocabulary import STAFF_WRITERS
from fragments.kit.auth import allow, current, forwarded_csrf

from ..domain.catalogue import InvalidRecord
from ..domain.plan_terms import InvalidTerms
from ..services.catalogue_admin import Refused
from ..services.ports import CustomerMissing, LegacyUnavailable, RecordChanged, StoreUnavailable
from .api import _c
from .views import _page as customer_page

bp = Blueprint("admin", __name__)
ADMIN = ("admin",)
TERMS_FIELDS = ("from", "accept_hours", "visit_days", "weekdays", "opens", "closes")
STALE = "This form is out of date: someone saved this record a moment ago. Check it below and make your change again."


def _page(*, message: str = "", errors: dict[str, dict[str, str]] | None = None,
          entered: dict[str, dict[str, Any]] | None = None, status: int = 200):
    keeping = _c().keeping
    try:
        products, plans, locales = keeping.records("products"), keeping.plans(), keeping.records("locales")
    except (StoreUnavailable, LegacyUnavailable):
        abort(503, description="The catalogue cannot be read right now. Try again in a moment.")
    today = keeping.clock().date().isoformat()
    return render_template("customers/catalogue.html", products=products, plans=plans, locales=locales,
                           names={p["id"]: p["name"] for p in products}, message=message, errors=errors or {},
                           entered=entered or {}, csrf=forwarded_csrf(), today=today), status


def _act(form: str, act: Callable[[dict[str, Any], int], Any], done: str, *, versioned: bool = True):
    """Run a change from a form (`act(values, version)`); the page again with what happened, or what is
    wrong per field, with what was typed still in the form."""
    values = {name: request.form.get(name, "") for name in request.form if name not in ("csrf_token",)}
    values["product_ids"] = request.form.getlist("product_ids")
    raw = request.form.get("version", "")
    if versioned and (not (raw.isascii() and raw.isdigit()) or len(raw) > 9):
        return _page(errors={form: {"form": "This form is out of date: reload the page and try again."}}, status=422)
    try:
        act(values, int(raw) if versioned else 0)
    except (InvalidRecord, InvalidTerms) as exc:
        return _page(errors={form: exc.errors}, entered={form: values}, status=422)
    except RecordChanged:
        return _page(errors={form: {"form": STALE}}, status=409)
    except Refused as exc:
        return _page(errors={form: {"form": str(exc)}}, status=409)
    except CustomerMissing:
        abort(404, description="There is no such record.")
    return _page(message=done)


@bp.get("/admin/catalogue")
@allow(roles=ADMIN)
def catalogue():
    return _page()


def _by() -> str:
    return current().subject


@bp.post("/admin/products")
@allow(roles=ADMIN)
def new_product():
    return _act("new-product", lambda v, _n: _c().keeping.create_product(v, _by()),
                "Product added: plans can cover it from now on.", versioned=False)


@bp.post("/admin/products/<int:product_id>")
@allow(roles=ADMIN)
def edit_product(product_id: int):
    return _act(f"product-{product_id}", lambda v, n: _c().keeping.edit_product(product_id, v, n, _by()),
                "Product saved.")


@bp.post("/admin/products/<int:product_id>/retire")
@allow(roles=ADMIN)
def retire_product(product_id: int):
    return _act(f"product-{product_id}-retire", lambda _v, _n: _c().keeping.retire_product(product_id, _by()),
                "Product retired: no new plan covers it; contracts already sold still do.", versioned=False)


@bp.post("/admin/plans")
@allow(roles=ADMIN)
def new_plan():
    def create(values: dict[str, Any], _version: int) -> Any:
        terms = {name: values.get(f"terms_{name}", "") for name in TERMS_FIELDS}
        return _c().keeping.create_plan(values, values["product_ids"], terms, _by())
    return _act("new-plan", create, "Plan added: staff can sell it from now on.", versioned=False)


@bp.post("/admin/plans/<int:plan_id>")
@allow(roles=ADMIN)
def edit_plan(plan_id: int):
    return _act(f"plan-{plan_id}", lambda v, n: _c().keeping.edit_plan(plan_id, v, v["product_ids"], n, _by()),
                "Plan saved.")


@bp.post("/admin/plans/<int:plan_id>/terms")
@allow(roles=ADMIN)
def change_terms(plan_id: int):
    return _act(f"terms-{plan_id}", lambda v, n: _c().keeping.change_terms(plan_id, v, n, _by()),
                "New terms saved: contracts sold from that day get them; those sold before keep theirs.")


@bp.post("/admin/plans/<int:plan_id>/retire")
@allow(roles=ADMIN)
def retire_plan(plan_id: int):
    return _act(f"plan-{plan_id}-retire", lambda _v, _n: _c().keeping.retire_plan(plan_id, _by()),
                "Plan retired: no longer sold; contracts already sold keep it until they end.", versioned=False)


@bp.post("/admin/locales")
@allow(roles=ADMIN)
def new_locale():
    return _act("new-locale", lambda v, _n: _c().keeping.create_locale(v, _by()), "Locale added.",
                versioned=False)


@bp.post("/admin/locales/<int:locale_id>")
@allow(roles=ADMIN)
def edit_locale(locale_id: int):
    return _act(f"locale-{locale_id}", lambda v, n: _c().keeping.edit_locale(locale_id, v, n, _by()),
                "Locale saved.")


@bp.post("/admin/locales/<int:locale_id>/retire")
@allow(roles=ADMIN)
def retire_locale(locale_id: int):
    return _act(f"locale-{locale_id}-retire", lambda _v, _n: _c().keeping.retire_locale(locale_id, _by()), "Locale retired.",
                versioned=False)


@bp.post("/customers/<int:customer_id>/contracts")
@allow(roles=STAFF_WRITERS)
def sell(customer_id: int):
    """A plan sold to the customer on the phone; their page again, with the new contract."""
    values = {name: request.form.get(name, "") for name in ("plan_id", "start_date", "months")}
    try:
        contract = _c().keeping.sell(customer_id, values, request.form.getlist("product_ids"), _by())
    except InvalidRecord as exc:
        return customer_page(customer_id, sale_errors=exc.errors, sale=values, status=422)
    except CustomerMissing:
        abort(404, description="There is no such customer.")
    return customer_page(customer_id, message=f"Sold: contract {contract['reference']} is in force from "
                                               f"{contract['start_date']} to {contract['end_date']}.")
