"""Appointment slots: the customer offers 1 to 3, each a future half-day period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation import times
from foundation.vocabulary import (
    PERIODS,  # the experts' weekly availability uses the same
)

MAX_SLOTS = 3
BOOKING_HORIZON_DAYS = 90


@dataclass(frozen=True)
class SlotError(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


def parse_slot(text: str) -> dt.datetime:
    """'2026-12-01 morning' or an ISO start time on a period boundary."""
    text = (text or "").strip()
    day, _, period = text.partition(" ")
    if period in PERIODS:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise SlotError(f"'{day}' is not a date (YYYY-MM-DD)") from None
        return dt.datetime.combine(date, dt.time(PERIODS[period]))
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SlotError(f"'{text}' is not an appointment slot") from None
    if moment.tzinfo is not None or moment.hour not in PERIODS.values() or moment.minute or moment.second:
        raise SlotError(f"'{text}' does not start a morning, afternoon or evening slot")
    return moment


def validate_slots(texts: list[str], now: dt.datetime) -> list[dt.datetime]:
    """The customer's slots in their order of preference: 1-3, distinct, in the future, within the horizon."""
    chosen = [t for t in texts if t and t.strip()]
    if not chosen:
        raise SlotError("choose at least one appointment slot")
    if len(chosen) > MAX_SLOTS:
        raise SlotError(f"choose at most {MAX_SLOTS} appointment slots")
    slots = [parse_slot(t) for t in chosen]
    if len(set(slots)) != len(slots):
        raise SlotError("each appointment slot may be chosen once")
    for slot in slots:
        if slot <= now:
            raise SlotError(f"{describe(slot)} has already started")
        if slot.date() > now.date() + dt.timedelta(days=BOOKING_HORIZON_DAYS):
            raise SlotError(f"{describe(slot)} is more than {BOOKING_HORIZON_DAYS} days ahead")
    return slots


def describe(slot: dt.datetime) -> str:
    """The one way every screen and message shows an appointment (foundation/times.py)."""
    return times.slot(slot)


def upcoming_choices(now: dt.datetime, days: int = 14) -> list[tuple[str, str]]:
    """(value, label) of the next bookable slots, for a form's select boxes."""
    choices = []
    for offset in range(days + 1):
        date = now.date() + dt.timedelta(days=offset)
        for name, hour in PERIODS.items():
            start = dt.datetime.combine(date, dt.time(hour))
            if start > now:
                choices.append((f"{date.isoformat()} {name}", describe(start)))
    return choices
