"""Billing pages: a customer's bills, payments and cards (the customer pays there; staff read, managers
and admins may cancel a bill nothing was paid on), and the managers' financial report with its CSV."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from foundation.vocabulary import STAFF_ROLES
from fragments.kit.auth import allow, current, forwarded_csrf, require_customer

from ..domain.billing import InvalidBilling
from ..services.ports import BillMissing, CustomerMissing, LegacyUnavailable, PaymentDeclined, StoreUnavailable
from .api import _c

bp = Blueprint("billing", __name__)
PEOPLE = (*STAFF_ROLES, "customer")
CANCELLERS = ("manager", "admin")


def _page(customer_id: int, *, errors: dict[str, str] | None = None, message: str = "",
          entered: dict[str, str] | None = None, status: int = 200):
    billing = _c().billing
    try:
        customer = _c().directory.customer(customer_id)
        bills = billing.history(customer_id)
        cards = billing.methods(customer_id)
    except StoreUnavailable:
        abort(503, description="These bills cannot be read right now. Try again in a moment.")
    role = current().role
    return render_template("customers/billing.html", customer=customer, bills=bills, cards=cards,
                           errors=errors or {}, message=message, entered=entered or {}, csrf=forwarded_csrf(),
                           mine=role == "customer", may_cancel=role in CANCELLERS,
                           payment_key=billing.new_payment_key()), status


def _customer(customer_id: int) -> None:
    require_customer(customer_id)
    try:
        _c().directory.customer(customer_id)
    except CustomerMissing:
        abort(404, description="There is no such customer.")
    except (LegacyUnavailable, StoreUnavailable):
        abort(503, description="This customer's record cannot be read right now. Try again in a moment.")


@bp.get("/customers/<int:customer_id>/billing")
@allow(roles=PEOPLE)
def history(customer_id: int):
    _customer(customer_id)
    return _page(customer_id)


@bp.post("/customers/<int:customer_id>/billing/cards")
@allow(roles=("customer",))
def add_card(customer_id: int):
    _customer(customer_id)
    try:
        card = _c().billing.add_card(customer_id, request.form.get("number"), request.form.get("expiry"))
    except InvalidBilling as invalid:
        # The number is never shown again (nor kept): only the expiry is given back to correct.
        return _page(customer_id, errors=invalid.errors, entered={"expiry": request.form.get("expiry", "")[:10]},
                     status=422)
    except PaymentDeclined as declined:
        return _page(customer_id, errors={"number": f"{declined}: try another card"}, status=422)
    return _page(customer_id, message=f"Card ending {card['last4']} added.")


@bp.post("/customers/<int:customer_id>/billing/bills/<bill_key>/pay")
@allow(roles=("customer",))
def pay(customer_id: int, bill_key: str):
    _customer(customer_id)
    try:
        paid = _c().billing.pay(customer_id, bill_key, request.form.get("method"), request.form.get("payment_key"),
                                current().subject)
    except BillMissing:
        abort(404, description="There is no such bill.")
    except InvalidBilling as invalid:
        return _page(customer_id, errors=invalid.errors, status=422)
    except PaymentDeclined as declined:
        return _page(customer_id, errors={"method": f"{declined}: nothing was taken"}, status=422)
    return _page(customer_id, message="Paid. Thank you." if paid else "This payment was made already: paid once.")


@bp.post("/customers/<int:customer_id>/billing/bills/<bill_key>/cancel")
@allow(roles=CANCELLERS)
def cancel(customer_id: int, bill_key: str):
    _customer(customer_id)
    try:
        bill = _c().billing.bills.bill(bill_key)
        if bill["customer_id"] != customer_id:
            raise BillMissing(bill_key)
        _c().billing.cancel(bill_key, current().subject)
    except BillMissing:
        abort(404, description="There is no such bill.")
    except InvalidBilling as invalid:
        return _page(customer_id, errors=invalid.errors, status=422)
    return _page(customer_id, message=f"The bill for {bill['period']} is cancelled.")


@bp.get("/billing/report")
@allow(roles=("manager",))
def report():
    """Billed, paid and overdue per plan and month, against the same number of months just before."""
    args: dict[str, Any] = {"first": request.args.get("from") or None, "last": request.args.get("to") or None}
    plans = {p["id"]: p["name"] for p in _c().catalogue.plans()}
    try:
        found = _c().billing.report(args["first"], args["last"], plans)
    except InvalidBilling as invalid:
        return render_template("customers/billing_report.html", report=None, errors=invalid.errors,
                               asked={k: (v or "")[:10] for k, v in args.items()}), 422
    if request.args.get("format") == "csv":
        return Response(found.csv(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="billing-{found.months[0]}-{found.months[-1]}.csv"'})
    return render_template("customers/billing_report.html", report=found, errors={},
                           asked={"first": found.months[0], "last": found.months[-1]})
