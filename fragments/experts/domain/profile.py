"""What an expert may set on their own profile: products they can fix, locales they serve, the weekly
half-days they work, and days off."""
from __future__ import annotations

import datetime as dt

from foundation.parsing import parse_digits
from foundation.vocabulary import PERIODS as PERIOD_STARTS

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERIODS = tuple(PERIOD_STARTS)  # in the order of the day
MAX_TIME_OFF_DAYS = 60
HORIZON_DAYS = 400


class ProfileError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def ids(values: list[str], allowed: set[int], field: str) -> list[int]:
    chosen = []
    for value in values:
        number = parse_digits(value)
        if number is None or number not in allowed:
            raise ProfileError(field, "choose from the list")
        chosen.append(number)
    return sorted(set(chosen))


def weekly(values: list[str]) -> list[str]:
    valid = {f"{d}:{p}" for d in range(7) for p in PERIODS}
    if any(v not in valid for v in values):
        raise ProfileError("weekly", "choose half-days from the grid")
    return sorted(set(values), key=lambda v: (int(v.split(":")[0]), PERIODS.index(v.split(":")[1])))


def days_off(start: str, end: str, today: dt.date) -> list[str]:
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end or start)
    except ValueError:
        raise ProfileError("time_off", "give the first and last day as dates") from None
    if last < first:
        raise ProfileError("time_off", "the last day is before the first")
    if first < today:
        raise ProfileError("time_off", "time off cannot start in the past")
    if (last - first).days + 1 > MAX_TIME_OFF_DAYS:
        raise ProfileError("time_off", f"at most {MAX_TIME_OFF_DAYS} days at once")
    if last > today + dt.timedelta(days=HORIZON_DAYS):
        raise ProfileError("time_off", "too far ahead")
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
