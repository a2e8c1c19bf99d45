"""What an admin may set up: products, support plans (what each covers, its limit of open tickets),
locales, and a plan sold to a customer as a contract. Each `*_from_form` returns the record's content
or raises InvalidRecord naming every field that cannot be right, with what would be."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from foundation.invalid import InvalidFields

CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
LOCALE_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,5}){0,3}")
CONTRACT_MONTHS = (1, 12, 24, 36)
# Each record's content as the monolith's bridge publishes it (what a copy keeps, a checksum covers and
# a write-back sends).
FIELDS = {"products": ("sku", "name", "category", "manufacturer"),
          "plans": ("code", "name", "monthly_price_cents", "max_open_tickets", "product_ids"),
          "locales": ("code", "name", "region")}
CONTRACT_FIELDS = ("customer_id", "reference", "plan_id", "start_date", "end_date", "status", "product_ids")


class InvalidRecord(InvalidFields): ...


def _text(values: dict[str, Any], name: str, errors: dict[str, str], *, longest: int, label: str) -> str:
    value = " ".join(str(values.get(name) or "").split())
    if not value:
        errors[name] = f"{label} is needed"
    elif len(value) > longest:
        errors[name] = f"{label} fits in {longest} characters"
    return value


def _code(values: dict[str, Any], name: str, errors: dict[str, str], *, longest: int, pattern: re.Pattern[str],
          example: str) -> str:
    value = str(values.get(name) or "").strip().upper()
    if not value or len(value) > longest or not pattern.fullmatch(value):
        errors[name] = f"capital letters, digits and dashes, like {example} ({longest} at most)"
    return value


def _whole(values: dict[str, Any], name: str, errors: dict[str, str], *, low: int, high: int, message: str) -> int:
    raw = str(values.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        errors[name] = message
        return low
    return int(raw)


def _ids(raw: Iterable[Any]) -> list[int]:
    return sorted({int(v) for v in raw if str(v).isascii() and str(v).isdigit() and len(str(v)) < 10})


def product_from_form(values: dict[str, Any], taken_skus: Iterable[str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    content = {"sku": _code(values, "sku", errors, longest=32, pattern=CODE, example="SOLAR-INV-5K"),
               "name": _text(values, "name", errors, longest=120, label="A name"),
               "category": _text(values, "category", errors, longest=60, label="A category"),
               "manufacturer": _text(values, "manufacturer", errors, longest=60, label="A manufacturer")}
    if "sku" not in errors and content["sku"] in set(taken_skus):
        errors["sku"] = f"another product already has the SKU {content['sku']}"
    if errors:
        raise InvalidRecord(errors)
    return content


def price_in_pence(raw: str, errors: dict[str, str]) -> int:
    text = raw.strip().lstrip("£").replace(",", "")
    if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", text):
        errors["monthly_price"] = "a price in pounds like 12.50"
        return 0
    pounds, _, pence = text.partition(".")
    return int(pounds) * 100 + int((pence + "00")[:2])


def plan_from_form(values: dict[str, Any], product_ids: Iterable[Any], known_products: Iterable[int],
                   taken_codes: Iterable[str]) -> dict[str, Any]:
    """A plan's content: code, name, monthly price, the limit of open tickets per contract, the products
    it covers (one at least, each one we sell)."""
    errors: dict[str, str] = {}
    covers = _ids(product_ids)
    content = {"code": _code(values, "code", errors, longest=32, pattern=CODE, example="SOLAR"),
               "name": _text(values, "name", errors, longest=120, label="A name"),
               "monthly_price_cents": price_in_pence(str(values.get("monthly_price") or ""), errors),
               "max_open_tickets": _whole(values, "max_open_tickets", errors, low=1, high=50,
                                          message="from 1 to 50 open tickets per contract"),
               "product_ids": covers}
    if "code" not in errors and content["code"] in set(taken_codes):
        errors["code"] = f"another plan already has the code {content['code']}"
    unknown = set(covers) - set(known_products)
    if not covers:
        errors["product_ids"] = "a plan covers one product at least"
    elif unknown:
        errors["product_ids"] = "a plan covers only products we sell (one was retired a moment ago: reload)"
    if errors:
        raise InvalidRecord(errors)
    return content


def locale_from_form(values: dict[str, Any], taken_codes: Iterable[str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    content = {"code": _code(values, "code", errors, longest=16, pattern=LOCALE_CODE, example="GB-BRS"),
               "name": _text(values, "name", errors, longest=80, label="A name"),
               "region": _text(values, "region", errors, longest=80, label="A region (Scotland and Northern Ireland "
                                                                         "have their own public holidays)")}
    if "code" not in errors and content["code"] in set(taken_codes):
        errors["code"] = f"another locale already has the code {content['code']}"
    if errors:
        raise InvalidRecord(errors)
    return content


def contract_from_form(values: dict[str, Any], plan: dict[str, Any] | None, product_ids: Iterable[Any],
                       today: dt.date) -> dict[str, Any]:
    """A plan sold to a customer: from a day (today or later), for a number of months, covering some of
    the plan's products (all of them if none is picked)."""
    errors: dict[str, str] = {}
    if plan is None:
        errors["plan_id"] = "pick one of the plans we sell"
        plan = {"product_ids": []}
    try:
        start = dt.date.fromisoformat(str(values.get("start_date") or "").strip())
        if start < today:
            errors["start_date"] = "a contract starts today or later"
    except ValueError:
        errors["start_date"] = "a date like 2027-01-01"
        start = today
    months = _whole(values, "months", errors, low=1, high=36, message="1, 12, 24 or 36 months")
    if "months" not in errors and months not in CONTRACT_MONTHS:
        errors["months"] = "1, 12, 24 or 36 months"
    offered = set(plan.get("product_ids") or [])
    chosen = _ids(product_ids) or sorted(offered)
    if set(chosen) - offered:
        errors["product_ids"] = "the plan does not cover that product"
    if errors:
        raise InvalidRecord(errors)
    end = _add_months(start, months) - dt.timedelta(days=1)
    return {"plan_id": plan["id"], "start_date": start.isoformat(), "end_date": end.isoformat(), "status": "active",
            "product_ids": chosen}


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has 28 days
