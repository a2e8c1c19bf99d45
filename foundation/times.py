"""One way to show a moment to people, on every screen of every part (ADR 0020).

Every customer is served in Great Britain (the locales are British service areas), so times are shown
in British English through Babel's CLDR data: "Fri 27 Nov 2026, 12:00"; a day "Fri 27 Nov 2026"; an
appointment slot with its half-day named and its hours given, "Fri 27 Nov 2026, afternoon
(12:00–16:00)". Stored moments are local times without an offset (foundation.vocabulary.iso).
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from babel.dates import format_date

from .vocabulary import PERIODS, SLOT_HOURS, period_of

LOCALE = "en_GB"
DAY = "EEE d MMM y"
MOMENT = "EEE d MMM y, HH:mm"


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str) and value:
        text = value.strip()
        date_part, _, rest = text.partition(" ")
        if rest in PERIODS:  # "2026-11-27 morning", as forms write a slot
            try:
                return dt.datetime.combine(dt.date.fromisoformat(date_part), dt.time(PERIODS[rest]))
            except ValueError:
                return None
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def day(value: Any) -> str:
    moment = _moment(value)
    return _day_text(moment.date()) if moment else ""


@lru_cache(maxsize=4096)
def _day_text(date: dt.date) -> str:
    # Babel takes ~30 µs a call; a panel of 50 tickets names the same few days over and over.
    return format_date(date, DAY, locale=LOCALE)


def moment(value: Any) -> str:
    # The same text as format_datetime(found, MOMENT): the day's (kept) text and the clock time.
    found = _moment(value)
    return f"{_day_text(found.date())}, {found:%H:%M}" if found else ""


def hours(period: str) -> str:
    start = PERIODS[period]
    return f"{start:02d}:00–{start + SLOT_HOURS:02d}:00"


def slot(value: Any) -> str:
    """An appointment: its day, its half-day by name and that half-day's hours."""
    found = _moment(value)
    if found is None:
        return ""
    period = period_of(found)
    if period is None or found.minute:
        return moment(found)
    return f"{day(found)}, {period} ({hours(period)})"


FILTERS = {"day": day, "moment": moment, "slot": slot, "hours": hours}
