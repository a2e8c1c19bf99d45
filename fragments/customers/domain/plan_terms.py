"""What each support plan promises (service levels), and what a valid change of terms looks like.

A version of a plan's terms takes effect on a day; contracts keep the version in force when they were
sold or last renewed. The plans the business sold before this service existed get the terms below from
the start (the monolith never wrote its promises down; these are what the call centre quoted)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from foundation.invalid import InvalidFields

SINCE_ALWAYS = "2000-01-01"
WEEKDAYS = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?(,(mon|tue|wed|thu|fri|sat|sun)"
                      r"(-(mon|tue|wed|thu|fri|sat|sun))?)*")
ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# code: (hours to an accepted expert, working days to the visit, working week)
QUOTED = {"ESSENTIAL": (16, 5, "mon-fri"), "HOME": (8, 3, "mon-fri"), "TECH": (8, 3, "mon-fri"),
          "APPLIANCE": (8, 3, "mon-fri"), "PREMIUM": (4, 1, "mon-sat")}
ANY_OTHER = (8, 3, "mon-fri")


class InvalidTerms(InvalidFields): ...


def version(*, effective: str, accept_hours: float, visit_days: int, weekdays: str = "mon-fri",
            opens: str = "08:00", closes: str = "18:00") -> dict[str, Any]:
    return {"from": effective, "accept_hours": accept_hours, "visit_days": visit_days, "weekdays": weekdays,
            "opens": opens, "closes": closes}


def quoted_terms(code: str) -> str:
    """The terms (JSON, one version in force since always) of a plan sold before this service."""
    hours, days, week = QUOTED.get(code, ANY_OTHER)
    return json.dumps([version(effective=SINCE_ALWAYS, accept_hours=hours, visit_days=days, weekdays=week)])


def validate(values: dict[str, str], today: dt.date) -> dict[str, Any]:
    """A new version of terms from a form, or InvalidTerms naming each field that contradicts itself."""
    errors: dict[str, str] = {}
    try:
        effective = dt.date.fromisoformat((values.get("from") or "").strip())
        if effective < today:
            errors["from"] = "terms take effect today or later: contracts already sold keep theirs"
    except ValueError:
        errors["from"] = "a date like 2027-01-01"
        effective = today
    try:
        hours = float(values.get("accept_hours") or "")
        if not 0.5 <= hours <= 240:
            raise ValueError
    except ValueError:
        errors["accept_hours"] = "working hours from 0.5 to 240"
        hours = 0.0
    raw_days = (values.get("visit_days") or "").strip()
    days = int(raw_days) if raw_days.isdigit() else -1
    if not 0 <= days <= 30:
        errors["visit_days"] = "working days from 0 (the same day) to 30"
    week = (values.get("weekdays") or "").lower().replace(" ", "")
    if not WEEKDAYS.fullmatch(week) or any(
            ORDER.index(b) < ORDER.index(a) for part in week.split(",") if "-" in part
            for a, b in [part.split("-")]):
        errors["weekdays"] = "days like mon-fri or mon,wed,fri"
    opens, closes = (values.get("opens") or "").strip(), (values.get("closes") or "").strip()
    try:
        if dt.time.fromisoformat(opens) >= dt.time.fromisoformat(closes):
            errors["closes"] = "the working day must close after it opens"
    except ValueError:
        errors["opens"] = "times like 08:00 and 18:00"
    if hours and days == 0 and not errors.get("closes") and not errors.get("opens"):
        length = (dt.datetime.combine(today, dt.time.fromisoformat(closes))
                  - dt.datetime.combine(today, dt.time.fromisoformat(opens)))
        if dt.timedelta(hours=hours) > length:
            errors["accept_hours"] = "a visit the same day cannot come after an expert accepts it the next day"
    if errors:
        raise InvalidTerms(errors)
    return version(effective=effective.isoformat(), accept_hours=hours, visit_days=days, weekdays=week,
                   opens=opens, closes=closes)
