"""Billing: the monthly run, paying a bill, the customers' cards, their history, and the managers'
financial report (domain/billing.py has the rules)."""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from typing import Any, Sequence

from foundation.vocabulary import iso

from ..domain.billing import (
    SINCE_ALWAYS,
    InvalidBilling,
    Line,
    Month,
    bill_for,
    billable,
    card_details,
    financial_lines,
    months_between,
    payable,
    period_before,
    state,
)
from .ports import BillMissing, Bills, Clock, PaymentGateway

PAGE = 500


@dataclass(frozen=True)
class RunResult:
    month: str
    seen: int
    billed: int  # new bills this call
    total: int  # the month's bills after it
    resumed: bool
    unpriced: list[int]  # contracts whose plan has no price here: not billed


@dataclass(frozen=True)
class Report:
    months: list[str]
    before: list[str]
    lines: list[Line]
    before_lines: list[Line]
    plan_names: dict[int, str]

    def totals(self, lines: Sequence[Line]) -> dict[str, int]:
        return {name: sum(getattr(line, name) for line in lines) for name in ("billed", "paid", "overdue", "bills")}

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["period", "month", "plan", "bills", "billed_gbp", "paid_gbp", "overdue_gbp"])
        for period, lines in (("this", self.lines), ("before", self.before_lines)):
            for line in lines:
                writer.writerow([period, line.month, _cell(self.plan_names.get(line.plan_id, f"plan {line.plan_id}")),
                                 line.bills, _pounds(line.billed), _pounds(line.paid), _pounds(line.overdue)])
        return out.getvalue()


def _pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"


def _cell(text: str) -> str:
    """A spreadsheet cell that cannot be read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class Billing:
    def __init__(self, bills: Bills, gateway: PaymentGateway, clock: Clock):
        self.bills = bills
        self.gateway = gateway
        self.clock = clock

    def run(self, month_text: str, *, page: int = PAGE) -> RunResult:
        """Bills every contract in force in the month, once: a second run bills nothing, and a run that
        stopped part way (a crash) is resumed by running it again (each bill is written create-only)."""
        today = self.clock().date()
        month = billable(Month.parse(month_text), today)
        started = self.bills.start_run(str(month), self.clock())
        prices = self.bills.prices()
        seen = billed = after = 0
        unpriced: list[int] = []  # contracts of a plan this service does not hold: not billed, and said
        while True:
            contracts = self.bills.contracts_in_force(month.first, month.last, after, page)
            if not contracts:
                break
            unpriced += [c["id"] for c in contracts if not prices.get(c["plan_id"])]
            bills = [b for c in contracts if prices.get(c["plan_id"])
                     and (b := bill_for(c, month, prices[c["plan_id"]], today)) is not None]
            billed += self.bills.add_bills(bills) if bills else 0
            seen += len(contracts)
            after = contracts[-1]["id"]
        finished = self.bills.finish_run(str(month), billed, self.clock())
        return RunResult(str(month), seen, billed, int(finished.get("bills") or 0), bool(started.get("resumed")),
                         unpriced)

    def price_changed(self, plan_id: int, old_cents: int, new_cents: int) -> None:
        """A plan's monthly price changed today: from today its contracts are charged the new price."""
        if old_cents == new_cents:
            return
        versions = list(self.bills.prices().get(plan_id) or [{"from": SINCE_ALWAYS, "cents": old_cents}])
        today = self.clock().date().isoformat()
        versions = [v for v in versions if str(v["from"]) != today] + [{"from": today, "cents": new_cents}]
        self.bills.price_changed(plan_id, sorted(versions, key=lambda v: str(v["from"])))

    # A customer's side.
    def history(self, customer_id: int) -> list[dict[str, Any]]:
        today = self.clock().date()
        return [{**bill, "state": state(bill, today)} for bill in self.bills.bills_of(customer_id)]

    def methods(self, customer_id: int) -> list[dict[str, Any]]:
        return self.bills.methods_of(customer_id)

    def add_card(self, customer_id: int, number: str | None, expiry: str | None) -> dict[str, Any]:
        """The card goes to the gateway; its token and last four digits are kept (InvalidBilling, or
        PaymentDeclined if the gateway refuses it)."""
        digits, month, year = card_details(number, expiry, self.clock().date())
        card = self.gateway.register_card(digits, month, year)
        return self.bills.add_method(customer_id, {"token": card["token"], "last4": card["last4"],
                                                   "brand": card["brand"], "expires": f"{month:02d}/{year % 100:02d}",
                                                   "added_at": iso(self.clock())})

    def pay(self, customer_id: int, bill_key: str, method_id: str | None, payment_key: str | None, by: str) -> bool:
        """Pays what is left on the bill with one of the customer's cards. `payment_key` (from the form)
        makes a repeated submit pay once. True if paid now, False if that key paid already."""
        bill = self.bills.bill(bill_key)
        if bill["customer_id"] != customer_id:
            raise BillMissing(bill_key)
        key = (payment_key or "").strip()
        if not (8 <= len(key) <= 64 and key.isascii() and key.replace("-", "").isalnum()):
            raise InvalidBilling({"form": "this form is out of date: reload the page and pay again"})
        earlier = self.bills.payment(key)
        if earlier is not None:
            if earlier.get("bill_key") != bill_key:
                raise InvalidBilling({"form": "this form is out of date: reload the page and pay again"})
            return False  # the same form sent again: paid once, by its first submit
        method = next((m for m in self.bills.methods_of(customer_id) if m["id"] == method_id), None)
        if method is None:
            raise InvalidBilling({"method": "choose one of your cards"})
        amount = payable(bill, self.clock().date())
        reference = self.gateway.charge(method["token"], amount, key)
        if self.bills.add_payment(bill_key, {"key": key, "amount_cents": amount, "paid_at": iso(self.clock()),
                                             "method": f"{method['brand']} ending {method['last4']}",
                                             "gateway_ref": reference, "by": by, "source": "new"}):
            return True
        if self.bills.payment(key) is not None:
            return False  # the same form sent again: paid once, by its first submit
        self.gateway.refund(reference)  # paid or cancelled meanwhile: the money goes back
        raise InvalidBilling({"bill": "this bill was paid or cancelled a moment ago: nothing was taken"})

    def cancel(self, bill_key: str, by: str) -> None:
        """A bill nothing was paid on no longer asks to be paid (InvalidBilling otherwise)."""
        bill = self.bills.bill(bill_key)
        if not self.bills.cancel(bill_key, by, self.clock()):
            raise InvalidBilling({"bill": "this bill is cancelled already" if bill.get("status") == "cancelled"
                                  else "something was paid on this bill: it cannot be cancelled"})

    @staticmethod
    def new_payment_key() -> str:
        return secrets.token_hex(12)

    # The managers' side.
    def report(self, first: str | None, last: str | None, plan_names: dict[int, str]) -> Report:
        """Per month and plan: billed, paid, overdue, against the same number of months just before."""
        today = self.clock().date()
        default = Month.of(today).previous()
        months = months_between(Month.parse(first) if first else default, Month.parse(last) if last else default)
        before = period_before(months)
        this = financial_lines(self.bills.bills_in([str(m) for m in months]), today)
        earlier = financial_lines(self.bills.bills_in([str(m) for m in before]), today)
        return Report([str(m) for m in months], [str(m) for m in before], this, earlier, plan_names)
