"""The reporting period: whole days, [first day 00:00, day after the last 00:00), compared with the
period of the same length just before it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time())

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time())

    def previous(self) -> "Period":
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))


def parse_period(first: str | None, last: str | None, today: dt.date) -> Period:
    if not first and not last:
        return Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
    try:
        end = dt.date.fromisoformat(last) if last else today
        start = dt.date.fromisoformat(first) if first else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise PeriodError("give the dates as YYYY-MM-DD") from None
    if start > end:
        raise PeriodError("the first day is after the last")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError(f"choose at most {MAX_DAYS} days")
    return Period(start, end)
