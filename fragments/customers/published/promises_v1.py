"""What a support plan promises a ticket, and when each promise falls due, on the plan's working
calendar (version 1): the arithmetic every service computes service levels with, so that the raise
(ticketing), the alerts and the managers' compliance figures (reports) agree to the second.

A plan's terms (customers_v1.plan_terms) promise an expert accepted within `accept_hours` working hours
of the raise and a visit within `visit_days` working days of it (by the close of that working day), in
a working week and hours. The calendar leaves out weekends (days not in the working week) and the
public holidays of the customer's area (calendar_v1). Pure: no store, no clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    """Working days (0 = Monday) and hours, and the days off (public holidays of an area)."""

    weekdays: frozenset[int] = frozenset(range(5))
    opens: dt.time = dt.time(8)
    closes: dt.time = dt.time(18)
    holidays: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if the calendar is open then, else when it next opens."""
        day = moment.date()
        while True:
            if self.is_working_day(day):
                start, end = dt.datetime.combine(day, self.opens), dt.datetime.combine(day, self.closes)
                if moment < end:
                    return max(moment, start)
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time())

    def add_working(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment `duration` of working time after `start`."""
        moment, left = self.next_opening(start), duration
        while True:
            end_of_day = dt.datetime.combine(moment.date(), self.closes)
            if moment + left <= end_of_day:
                return moment + left
            left -= end_of_day - moment
            moment = self.next_opening(end_of_day)

    def working_between(self, first: dt.datetime, last: dt.datetime) -> dt.timedelta:
        """The working time from `first` to `last` (zero if `last` is not after `first`)."""
        total, moment = dt.timedelta(), self.next_opening(first)
        while moment < last:
            end_of_day = min(dt.datetime.combine(moment.date(), self.closes), last)
            total += max(end_of_day - moment, dt.timedelta())
            moment = self.next_opening(dt.datetime.combine(moment.date(), self.closes))
        return total

    def end_of_working_day(self, raised: dt.datetime, days: int) -> dt.datetime:
        """The close of the `days`-th working day after the raise's day (0: the raise's day itself,
        or the next working day if it is not one or has closed)."""
        day = self.next_opening(raised).date()
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return dt.datetime.combine(day, self.closes)


@dataclass(frozen=True)
class Terms:
    """A plan's promises (from the customers service's plan terms)."""

    accept_hours: float
    visit_days: int
    calendar: Calendar = field(default_factory=Calendar)


@dataclass(frozen=True)
class Deadline:
    """One promise on one ticket: when it started, when it falls due, whether it was kept."""

    name: str  # "accept" | "visit"
    starts: dt.datetime
    due: dt.datetime
    met_at: dt.datetime | None = None

    def used(self, now: dt.datetime, calendar: Calendar) -> float:
        """Percent of the promise's working time used by `now` (or by when it was met)."""
        whole = calendar.working_between(self.starts, self.due)
        until = min(now, self.met_at) if self.met_at else now
        spent = calendar.working_between(self.starts, until)
        return 100.0 if whole <= dt.timedelta() else 100.0 * spent / whole

    def breached(self, now: dt.datetime) -> bool:
        return (self.met_at or now) > self.due


def deadlines(terms: Terms, raised: dt.datetime) -> list[Deadline]:
    """The promises a ticket carries from the moment it is raised."""
    return [Deadline("accept", raised, terms.calendar.add_working(raised, dt.timedelta(hours=terms.accept_hours))),
            Deadline("visit", raised, terms.calendar.end_of_working_day(raised, terms.visit_days))]


def parse_weekdays(text: str) -> frozenset[int]:
    """"mon-fri", "mon-sat", "mon,wed,fri" -> weekday numbers; ValueError if it names no day."""
    days: set[int] = set()
    for part in (text or "").lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"'{part}' is not a day or a range of days like mon-fri")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        if end < start:
            raise ValueError(f"'{part}' runs backwards")
        days.update(range(start, end + 1))
    return frozenset(days)


def terms_on(versions: list[tuple[dt.date, T]], sold_on: dt.date) -> T | None:
    """A plan's terms as a contract sold (or last renewed) on `sold_on` keeps them: the version in force
    that day. A change of terms with a later effective date applies from the next renewal."""
    in_force = [(start, terms) for start, terms in versions if start <= sold_on]
    return max(in_force, key=lambda pair: pair[0])[1] if in_force else None


def version_in_force(versions: list[dict[str, Any]], sold_on: dt.date) -> dict[str, Any] | None:
    """Of a plan's versions as customers_v1.plan_terms gives them, the one a contract sold (or last
    renewed) on `sold_on` keeps (terms_on's rule); None if none was in force yet."""
    return terms_on([(dt.date.fromisoformat(v["from"]), v) for v in versions], sold_on)


def terms_of(version: dict[str, Any], holidays: list[str]) -> Terms:
    """One version's terms on a calendar without `holidays` (ISO dates)."""
    return Terms(float(version["accept_hours"]), int(version["visit_days"]),
                 Calendar(parse_weekdays(version["weekdays"]), dt.time.fromisoformat(version["opens"]),
                          dt.time.fromisoformat(version["closes"]), frozenset(dt.date.fromisoformat(d) for d in holidays)))


def terms_in_force(versions: list[dict[str, Any]], holidays: list[str], sold_on: dt.date) -> Terms | None:
    """The terms a contract sold (or last renewed) on `sold_on` keeps, from a plan's versions as
    customers_v1.plan_terms gives them, on a calendar without `holidays` (ISO dates); None if none."""
    version = version_in_force(versions, sold_on)
    return None if version is None else terms_of(version, holidays)
