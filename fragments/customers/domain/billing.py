"""Monthly bills for contracts, payments against them, and what the managers' financial report counts.

A contract is billed once per calendar month it was in force, after the month has ended: the plan's
monthly price for each day of the month the contract covered, over the days of the month (a price
changed mid-month, or a contract starting or ending mid-month, is charged by the day), rounded to the
penny once. A bill is due 14 days after it is issued. A bill is paid when its payments reach its amount;
overdue when it is not paid by its due day; a cancelled bill takes no payment."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from foundation.invalid import InvalidFields

SINCE_ALWAYS = "2000-01-01"
DUE_AFTER_DAYS = 14
STATES = ("open", "paid", "overdue", "cancelled")


class InvalidBilling(InvalidFields):
    """A month, a payment or a card that cannot be taken; nothing was stored."""


@dataclass(frozen=True)
class Month:
    first: dt.date

    @staticmethod
    def parse(text: str | None) -> Month:
        raw = (text or "").strip()
        try:
            if len(raw) != 7 or raw[4] != "-":
                raise ValueError
            return Month(dt.date(int(raw[:4]), int(raw[5:]), 1))
        except ValueError:
            raise InvalidBilling({"month": "a month like 2026-11"}) from None

    @staticmethod
    def of(day: dt.date) -> Month:
        return Month(day.replace(day=1))

    @property
    def days(self) -> int:
        return calendar.monthrange(self.first.year, self.first.month)[1]

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=self.days)

    def next(self) -> Month:
        return Month(self.last + dt.timedelta(days=1))

    def previous(self) -> Month:
        return Month.of(self.first - dt.timedelta(days=1))

    def __str__(self) -> str:
        return self.first.strftime("%Y-%m")

    def label(self) -> str:
        return self.first.strftime("%B %Y")


def billable(month: Month, today: dt.date) -> Month:
    """A month may be billed once it has ended (its contracts may still change until its last day)."""
    if month.last >= today:
        raise InvalidBilling({"month": f"{month.label()} has not ended yet: it can be billed from "
                                       f"{month.next().first.isoformat()}"})
    return month


def price_on(prices: Sequence[Mapping[str, Any]], day: dt.date) -> int:
    """The monthly price in force on `day` (versions {"from": ISO day, "cents"}; before the first, the first)."""
    ordered = sorted(prices, key=lambda p: str(p["from"]))
    chosen = ordered[0]
    for version in ordered[1:]:
        if str(version["from"]) <= day.isoformat():
            chosen = version
    return int(chosen["cents"])


def covered_days(contract: Mapping[str, Any], month: Month) -> list[dt.date]:
    """The days of the month the contract was in force (from its start to its end, both included)."""
    start = dt.date.fromisoformat(str(contract["start_date"]))
    end = dt.date.fromisoformat(str(contract["end_date"])) if contract.get("end_date") else None
    first, last = max(start, month.first), min(end, month.last) if end else month.last
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)] if first <= last else []


def charge(contract: Mapping[str, Any], month: Month, prices: Sequence[Mapping[str, Any]]) -> int:
    """What the contract costs for the month, in pence: each covered day at that day's price."""
    days = covered_days(contract, month)
    total = sum((Fraction(price_on(prices, day), month.days) for day in days), Fraction(0))
    return int(total + Fraction(1, 2))  # to the nearest penny, a half up


def bill_key(contract_id: int, month: Month) -> str:
    """One bill per contract and month: what makes a second run bill nothing."""
    return f"{contract_id}:{month}"


def bill_for(contract: Mapping[str, Any], month: Month, prices: Sequence[Mapping[str, Any]],
             today: dt.date) -> dict[str, Any] | None:
    """The bill of a contract for a month (None if it was not in force that month, or cost nothing)."""
    amount = charge(contract, month, prices)
    if amount <= 0:
        return None
    return {"key": bill_key(contract["id"], month), "contract_id": contract["id"],
            "customer_id": contract["customer_id"], "plan_id": contract["plan_id"], "period": str(month),
            "amount_cents": amount, "issued_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=DUE_AFTER_DAYS)).isoformat(), "status": "open"}


def state(bill: Mapping[str, Any], today: dt.date) -> str:
    if bill.get("status") == "cancelled":
        return "cancelled"
    if int(bill.get("paid_cents") or 0) >= int(bill["amount_cents"]):
        return "paid"
    return "overdue" if str(bill["due_on"]) < today.isoformat() else "open"


def payable(bill: Mapping[str, Any], today: dt.date) -> int:
    """What is left to pay on a bill (InvalidBilling if it takes no payment)."""
    now = state(bill, today)
    if now == "cancelled":
        raise InvalidBilling({"bill": "this bill was cancelled: it takes no payment"})
    if now == "paid":
        raise InvalidBilling({"bill": "this bill is paid already"})
    return int(bill["amount_cents"]) - int(bill.get("paid_cents") or 0)


def card_details(number: str | None, expiry: str | None, today: dt.date) -> tuple[str, int, int]:
    """A card number (digits, spaces allowed, Luhn-checked) and expiry (MM/YY, not past), to hand to the
    payment gateway: never stored here."""
    errors: dict[str, str] = {}
    digits = "".join((number or "").split())
    if not (digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19 and _luhn(digits)):
        errors["number"] = "a card number of 12 to 19 digits, as printed on the card"
    month = year = 0
    raw = (expiry or "").strip()
    if len(raw) == 5 and raw[2] == "/" and raw[:2].isdigit() and raw[3:].isdigit() and 1 <= int(raw[:2]) <= 12:
        month, year = int(raw[:2]), 2000 + int(raw[3:])
        if (year, month) < (today.year, today.month):
            errors["expiry"] = "this card has expired"
    else:
        errors["expiry"] = "the expiry date as on the card, like 08/28"
    if errors:
        raise InvalidBilling(errors)
    return digits, month, year


def _luhn(digits: str) -> bool:
    total = 0
    for n, char in enumerate(reversed(digits)):
        value = int(char) * (2 if n % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@dataclass(frozen=True)
class Line:
    """One row of the financial report: a plan in a month."""

    month: str
    plan_id: int
    billed: int = 0
    paid: int = 0
    overdue: int = 0
    bills: int = 0


def financial_lines(bills: Iterable[Mapping[str, Any]], today: dt.date) -> list[Line]:
    """Per month and plan: billed (the bills' amounts), paid (what their payments took), overdue (what is
    still owed on bills past their due day), in pence."""
    lines: dict[tuple[str, int], Line] = {}
    for bill in bills:
        if bill.get("status") == "cancelled":
            continue
        key = (str(bill["period"]), int(bill["plan_id"]))
        line = lines.get(key, Line(key[0], key[1]))
        paid = min(int(bill.get("paid_cents") or 0), int(bill["amount_cents"]))
        owed = int(bill["amount_cents"]) - paid if state(bill, today) == "overdue" else 0
        lines[key] = Line(line.month, line.plan_id, line.billed + int(bill["amount_cents"]), line.paid + paid,
                          line.overdue + owed, line.bills + 1)
    return [lines[key] for key in sorted(lines)]


def months_between(first: Month, last: Month) -> list[Month]:
    if last.first < first.first:
        raise InvalidBilling({"to": "the last month comes after the first"})
    months = [first]
    while months[-1].first < last.first:
        months.append(months[-1].next())
    if len(months) > 36:
        raise InvalidBilling({"to": "at most 36 months at a time"})
    return months


def period_before(months: Sequence[Month]) -> list[Month]:
    """The same number of months just before."""
    before = [months[0].previous()]
    while len(before) < len(months):
        before.insert(0, before[0].previous())
    return before
