"""The customers pages, embedded in the legacy screens: a customer's details and plans (staff on the
customer's page; the customer on My account), with the form that changes contact details, and the staff
search. Who acts comes from the verified token only.

Staff read a customer's contact details as the legacy screen showed them, a list of facts; "Change contact
details" swaps the form in (and "Cancel" or a save swaps the facts back). A customer on My account has the
form at once: changing their details is what they come for (ADR 0046)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from foundation.vocabulary import STAFF_ROLES, STAFF_WRITERS
from fragments.kit.auth import allow, current, forwarded_csrf, require_customer

from ..domain.contact import FIELDS, InvalidContact
from ..services.ports import CustomerChanged, CustomerMissing, LegacyUnavailable, StoreUnavailable
from .api import _c

bp = Blueprint("views", __name__)
PEOPLE = (*STAFF_ROLES, "customer")
CHANGERS = (*STAFF_WRITERS, "customer")  # who may change contact details


def _page(customer_id: int, *, errors: dict[str, str] | None = None, message: str = "",
          entered: dict[str, Any] | None = None, sale_errors: dict[str, str] | None = None,
          sale: dict[str, Any] | None = None, status: int = 200, editing: bool = False):
    principal = current()
    directory = _c().directory
    may_sell = principal.role in STAFF_WRITERS
    try:
        customer, plans = directory.page(customer_id)
        # The sale form comes with the page only to show it again (what was typed, what was wrong);
        # otherwise it is loaded when staff open it (sale_form), and the plans on sale are read then.
        sale_shown = may_sell and bool(sale_errors or sale)
        for_sale = _for_sale() if sale_shown else []
    except CustomerMissing:
        abort(404, description="There is no such customer.")
    except (LegacyUnavailable, StoreUnavailable):
        abort(503, description="This customer's record cannot be read right now. Try again in a moment.")
    shown = entered or {name: customer.get(name) or "" for name in FIELDS}
    may_change = principal.role in CHANGERS
    # The form, not the facts: for the customer, for staff who asked to change them, and whenever what was
    # sent is shown again (a message per field, or someone else's save).
    editing = may_change and (editing or principal.role == "customer" or bool(errors) or entered is not None)
    return render_template("customers/customer.html", customer=customer, plans=plans, shown=shown,
                           errors=errors or {}, message=message, csrf=forwarded_csrf(),
                           role=principal.role, may_change=may_change, editing=editing,
                           version=entered.get("version") if entered else customer["version"],
                           may_sell=may_sell, sale_shown=sale_shown, for_sale=for_sale, sale_errors=sale_errors or {},
                           sale=sale or {"start_date": directory.clock().date().isoformat(), "months": "12"}), status


def _for_sale() -> list[dict[str, Any]]:
    """The plans staff may sell now, each with the names of the products it covers."""
    names = {p["id"]: p["name"] for p in _c().catalogue.products()}
    return [{**p, "covers": ", ".join(names[i] for i in p["product_ids"] if i in names)}
            for p in _c().keeping.records("plans") if not p["retired"]]


@bp.get("/customers/<int:customer_id>/sale")
@allow(roles=STAFF_WRITERS)
def sale_form(customer_id: int):
    """The form that sells a plan to this customer, as "Sell a plan" opens it."""
    try:
        customer = _c().directory.customer(customer_id)
        for_sale = _for_sale()
    except CustomerMissing:
        abort(404, description="There is no such customer.")
    except (LegacyUnavailable, StoreUnavailable):
        abort(503, description="The plans on sale cannot be read right now. Try again in a moment.")
    return render_template("customers/_sale.html", customer=customer, for_sale=for_sale, sale_errors={},
                           sale={"start_date": _c().directory.clock().date().isoformat(), "months": "12"},
                           csrf=forwarded_csrf())


@bp.get("/customers/<int:customer_id>")
@allow(roles=PEOPLE)
def customer(customer_id: int):
    require_customer(customer_id)
    return _page(customer_id)


@bp.get("/customers/<int:customer_id>/contact")
@allow(roles=CHANGERS)
def contact_form(customer_id: int):
    """The customer's page with the form that changes their contact details, as "Change contact details"
    opens it (its version is the one read now: a save by someone else after this is refused, not lost)."""
    require_customer(customer_id)
    return _page(customer_id, editing=True)


@bp.post("/customers/<int:customer_id>/contact")
@allow(roles=CHANGERS)
def change_contact(customer_id: int):
    require_customer(customer_id)
    entered: dict[str, Any] = {name: request.form.get(name, "") for name in FIELDS}
    raw_version = request.form.get("version", "")
    if not (raw_version.isascii() and raw_version.isdigit()) or len(raw_version) > 9:
        return _page(customer_id, errors={"form": "This form is out of date: reload the page and try again."},
                     status=422)
    entered["version"] = int(raw_version)
    try:
        _c().directory.change_contact(customer_id, entered, expected_version=int(raw_version), by=current().subject)
    except InvalidContact as exc:
        return _page(customer_id, errors=exc.errors, entered=entered, status=422)
    except CustomerChanged:
        return _page(customer_id, errors={"form": "Someone else saved this customer's details a moment ago: "
                                                  "check them below and make your change again."}, status=409)
    who = "Your details are" if current().role == "customer" else "The customer's details are"
    return _page(customer_id, message=f"Saved. {who} up to date; visits and messages from now on use them.")


@bp.get("/customers")
@allow(roles=STAFF_ROLES)
def search():
    query = " ".join(request.args.get("q", "").split())[:100]
    try:
        found = _c().directory.search(query) if query else []
    except StoreUnavailable:
        abort(503, description="Customers cannot be searched right now. Try again in a moment.")
    return render_template("customers/search.html", query=query, found=found)
