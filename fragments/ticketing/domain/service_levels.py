"""A ticket's promises over its life: paused while waiting on the customer, alerted at 50, 75 and 100%,
sorted by time to breach. When each promise falls due on the plan's working calendar is the customers
service's published arithmetic (promises_v1), shared with the reports' compliance figures.

Time waiting on the customer does not count: a pause moves every deadline still ahead by the working
time it lasted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from fragments.customers.published.promises_v1 import (
    DAY_NAMES,
    Calendar,
    Deadline,
    Terms,
    deadlines,
    parse_weekdays,
    terms_in_force,
    terms_on,
)

__all__ = ["DAY_NAMES", "Calendar", "Deadline", "Terms", "deadlines", "parse_weekdays", "terms_in_force", "terms_on",
           "paused", "moved_moments", "time_to_breach", "alerts_due", "alert_moments", "ALERT_LEVELS"]
ALERT_LEVELS = (50, 75, 100)  # percent of a promise's time used: staff and managers are told


def paused(promises: list[Deadline], calendar: Calendar, since: dt.datetime, until: dt.datetime) -> list[Deadline]:
    """The promises after a wait on the customer from `since` to `until`: each not yet met (nor already
    due when the wait began) moves later by the working time the wait lasted."""
    lost = calendar.working_between(since, until)
    return [p if p.met_at is not None or p.due <= since else replace(p, due=calendar.add_working(p.due, lost)
                                                                      if lost else p.due) for p in promises]


def moved_moments(moments: list[tuple[str, dt.datetime]], calendar: Calendar, since: dt.datetime,
                  until: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The alert moments after a wait on the customer from `since` to `until`: each still ahead when the
    wait began moves later by the working time the wait lasted (as `paused` moves the promises)."""
    lost = calendar.working_between(since, until)
    moved = [(name, calendar.add_working(at, lost) if at > since and lost else at) for name, at in moments]
    return sorted(moved, key=lambda pair: (pair[1], pair[0]))


def time_to_breach(promises: list[Deadline], now: dt.datetime) -> dt.timedelta | None:
    """How long until the first promise still open falls due (negative: breached); None if none is open."""
    open_ = [p.due - now for p in promises if p.met_at is None]
    return min(open_) if open_ else None


def alerts_due(promises: list[Deadline], calendar: Calendar, now: dt.datetime, told: set[str]) -> list[str]:
    """The alerts to send now ("accept:75", ...): each level each open promise has reached, not told yet."""
    return [key for p in promises if p.met_at is None for level in ALERT_LEVELS
            if p.used(now, calendar) >= level and (key := f"{p.name}:{level}") not in told]


def alert_moments(promises: list[Deadline], calendar: Calendar) -> list[tuple[str, dt.datetime]]:
    """("accept:50", when) for each promise and level, in time order: when that share of the promise's
    working time is used (computed once, at the raise; a wait on the customer would move them)."""
    moments = []
    for p in promises:
        whole = calendar.working_between(p.starts, p.due)
        for level in ALERT_LEVELS:
            at = p.due if level == 100 else calendar.add_working(p.starts, whole * level / 100)
            moments.append((f"{p.name}:{level}", at))
    return sorted(moments, key=lambda pair: (pair[1], pair[0]))
