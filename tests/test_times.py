"""The one time format (foundation/times.py): kept texts give exactly what Babel gives."""
from __future__ import annotations

import datetime as dt
import random

from babel.dates import format_date, format_datetime

from foundation import times


def test_kept_day_and_moment_texts_equal_babels_own_formatting():
    rng = random.Random(7)
    for _ in range(3000):
        moment = dt.datetime(2019, 1, 1) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 366 * 9))
        assert times.moment(moment) == format_datetime(moment, times.MOMENT, locale=times.LOCALE)
        assert times.day(moment) == format_date(moment.date(), times.DAY, locale=times.LOCALE)
        assert times.moment(moment.isoformat()) == times.moment(moment)
    assert times.slot("2026-11-27 afternoon") == "Fri 27 Nov 2026, afternoon (12:00–16:00)"
    assert times.moment("not a time") == times.day(None) == ""
