"""The metric definitions on hand-built rows whose answers were worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.reports.domain import metrics
from fragments.reports.domain.period import PeriodError, parse_period


def alloc(expert, state, at, closed_at=None, reason=None):
    return {"expert_id": expert, "state": state, "at": at, "closed_at": closed_at, "reason": reason}


# Raised on 1 Nov 2026. Hours worked out by hand in the comments.
TICKETS = [
    # accepted 2 h after raising (first offer refused at 1 h), closed 26 h after raising, reopened once
    {"id": 1, "status": "closed", "product_id": 10, "locale_id": 1, "created_at": "2026-11-01T08:00:00",
     "closed_at": "2026-11-02T10:00:00", "reopened": 1,
     "allocations": [alloc(7, "refused", "2026-11-01T08:00:00", "2026-11-01T09:00:00", "Too far away: 80 km"),
                     alloc(8, "accepted", "2026-11-01T09:00:00", "2026-11-01T10:00:00")]},
    # accepted 4 h after raising, after a time-out
    {"id": 2, "status": "assigned", "product_id": 10, "locale_id": 2, "created_at": "2026-11-01T10:00:00",
     "closed_at": None, "reopened": None,
     "allocations": [alloc(7, "timed_out", "2026-11-01T10:00:00", "2026-11-01T10:15:00"),
                     alloc(8, "accepted", "2026-11-01T10:15:00", "2026-11-01T14:00:00")]},
    # migrated legacy ticket: accepted allocation with only `at` (10 h), closed after 50 h
    {"id": 3, "status": "closed", "product_id": 11, "locale_id": 1, "created_at": "2026-11-01T00:00:00",
     "closed_at": "2026-11-03T02:00:00", "reopened": None,
     "allocations": [alloc(9, "accepted", "2026-11-01T10:00:00")]},
    # nobody took it
    {"id": 4, "status": "unassigned", "product_id": 11, "locale_id": 1, "created_at": "2026-11-01T12:00:00",
     "closed_at": None, "reopened": None,
     "allocations": [alloc(7, "refused", "2026-11-01T12:00:00", "2026-11-01T12:30:00", "Ill or on leave")]},
]


def test_ticket_operations():
    ops = metrics.ticket_ops(TICKETS)
    assert ops.raised == 4
    assert ops.by_state == {"closed": 2, "assigned": 1, "unassigned": 1}
    assert ops.by_product == {10: 2, 11: 2} and ops.by_locale == {1: 3, 2: 1}
    assert sorted(ops.assign_hours) == [2.0, 4.0, 10.0]
    assert ops.assign_median == 4.0 and ops.assign_p90 == 10.0
    assert sorted(ops.close_hours) == [26.0, 50.0]
    assert ops.close_median == 38.0 and ops.close_p90 == 50.0
    assert (ops.refused, ops.timed_out, ops.re_offers) == (2, 1, 2)
    assert (ops.reopened_tickets, ops.reopen_events) == (1, 1)


def test_percentiles_are_nearest_rank():
    assert metrics.percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 10], 90) == 9
    assert metrics.percentile([1], 90) == 1 and metrics.percentile([], 90) is None
    assert metrics.median([4, 1, 3, 2]) == 2.5 and metrics.median([]) is None


def test_experts():
    experts = [{"id": 7, "first_name": "Ann", "last_name": "Bee", "load": 0, "score": None, "answers": 0},
               {"id": 8, "first_name": "Cy", "last_name": "Dee", "load": 3, "score": 4.5, "answers": 2},
               {"id": 9, "first_name": "", "last_name": "", "load": 1, "score": 3.0, "answers": 1}]
    lines = {l.expert_id: l for l in metrics.expert_lines(TICKETS, experts)}
    ann, cy, nine = lines[7], lines[8], lines[9]
    assert (ann.offers, ann.accepted, ann.refused, ann.timed_out) == (3, 0, 2, 1)
    assert ann.acceptance_rate == 0.0 and ann.reasons == {"Too far away": 1, "Ill or on leave": 1}
    assert (cy.offers, cy.accepted, cy.acceptance_rate, cy.load, cy.score) == (2, 2, 1.0, 3, 4.5)
    assert cy.close_hours == [26.0] and cy.close_median == 26.0
    assert nine.name == "#9" and nine.close_hours == [50.0]


def test_waiting_is_longest_first_in_hours():
    now = dt.datetime(2026, 11, 2, 12, 0)
    rows = metrics.waiting([{"reference": "A", "status": "unassigned", "waiting_since": "2026-11-02T09:00:00"},
                            {"reference": "B", "status": "new", "waiting_since": "2026-11-01T12:00:00"}], now)
    assert [(r["reference"], r["hours"]) for r in rows] == [("B", 24.0), ("A", 3.0)]


def test_periods():
    today = dt.date(2026, 11, 25)
    default = parse_period(None, None, today)
    assert (default.first, default.last, default.days) == (dt.date(2026, 10, 27), today, 30)
    assert (default.previous().first, default.previous().last) == (dt.date(2026, 9, 27), dt.date(2026, 10, 26))
    week = parse_period("2026-11-01", "2026-11-07", today)
    assert week.start == dt.datetime(2026, 11, 1) and week.end == dt.datetime(2026, 11, 8)
    for first, last in (("2026-11-08", "2026-11-01"), ("yesterday", ""), ("2020-01-01", "2026-11-01")):
        with pytest.raises(PeriodError):
            parse_period(first, last, today)
