"""Parsing and validating the monolith's forms: typed values, or field errors to re-render."""
from __future__ import annotations

import datetime as dt
import re
from typing import Mapping

from .legacy_tickets import NewTicket
from .models import CHANNELS, PERIODS

MAX_SLOTS = 3
MAX_DESCRIPTION = 4000
MAX_NOTE = 2000


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, max_length: int | None = None) -> str:
    """Stripped text without control characters (PostgreSQL refuses NUL; none belong in a form)."""
    text = _CONTROL.sub("", value or "").strip()
    return text if max_length is None else text[:max_length]


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _int(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def parse_slots(form: Mapping[str, str]) -> tuple[tuple[dt.datetime, ...], str | None]:
    slots: list[dt.datetime] = []
    for i in range(1, MAX_SLOTS + 1):
        day, period = clean_text(form.get(f"slot_date_{i}")), clean_text(form.get(f"slot_period_{i}"))
        if not day and not period:
            continue
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            return (), f"Slot {i}: give a valid date."
        if period not in PERIODS:
            return (), f"Slot {i}: choose morning, afternoon or evening."
        slots.append(dt.datetime.combine(date, dt.time(PERIODS[period])))
    if not slots:
        return (), "Choose at least one appointment slot."
    if len(set(slots)) != len(slots):
        return (), "Each appointment slot must be different."
    return tuple(sorted(slots)), None


def parse_new_ticket(form: Mapping[str, str], channel: str) -> NewTicket:
    errors: dict[str, str] = {}
    contract_id = _int(form.get("contract_id"))
    if contract_id is None:
        errors["contract_id"] = "Choose a contract."
    product_id = _int(form.get("product_id"))
    if product_id is None:
        errors["product_id"] = "Choose a product."
    description = clean_text(form.get("description"))
    if len(description) < 10:
        errors["description"] = "Describe the problem in at least 10 characters."
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Keep the description under {MAX_DESCRIPTION} characters."
    slots, slot_error = parse_slots(form)
    if slot_error:
        errors["slots"] = slot_error
    if channel not in CHANNELS:
        errors["channel"] = "Unknown channel."
    if errors:
        raise FormErrors(errors)
    assert contract_id is not None and product_id is not None
    return NewTicket(contract_id, product_id, description, slots, channel)


def parse_note(form: Mapping[str, str]) -> str:
    note = clean_text(form.get("note"))
    if len(note) > MAX_NOTE:
        raise FormErrors({"note": f"Keep the note under {MAX_NOTE} characters."})
    return note
