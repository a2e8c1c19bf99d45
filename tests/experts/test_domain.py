"""The experts' domain rules on their own."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.experts.domain.offers import countdown, seconds_left, split_work
from fragments.experts.domain.profile import ProfileError, days_off, ids, weekly

NOW = dt.datetime(2026, 11, 25, 9, 0, 0)


def test_countdown_and_seconds_left():
    assert seconds_left("2026-11-25T09:14:30", NOW) == 870 and countdown(870) == "14:30"
    assert seconds_left("2026-11-25T08:59:00", NOW) == 0 and countdown(0) == "0:00"
    assert seconds_left(None, NOW) == 0


def test_split_work_keeps_only_this_experts_open_offers_and_bookings_in_order():
    def ticket(tid, status, *allocs):
        return {"id": tid, "status": status, "allocations": [dict(zip(("expert_id", "state", "slot", "expires_at"), a))
                                                             for a in allocs]}
    tickets = [ticket(1, "offered", (7, "offered", "2026-11-27T08:00:00", "2026-11-25T09:20:00")),
               ticket(2, "offered", (7, "offered", "2026-11-26T08:00:00", "2026-11-25T09:10:00")),
               ticket(3, "offered", (8, "offered", "2026-11-26T08:00:00", "2026-11-25T09:10:00")),
               ticket(4, "assigned", (7, "refused", "2026-11-26T12:00:00", None), (8, "accepted", "2026-11-26T12:00:00", None)),
               ticket(5, "assigned", (7, "accepted", "2026-11-28T16:00:00", None)),
               ticket(6, "in_progress", (7, "accepted", "2026-11-26T16:00:00", None)),
               ticket(7, "closed", (7, "accepted", "2026-11-20T16:00:00", None))]
    offers, assigned = split_work(tickets, 7)
    assert [t["id"] for t in offers] == [2, 1]  # soonest expiry first
    assert [t["id"] for t in assigned] == [6, 5]  # by appointment time


def test_profile_rules():
    assert ids(["3", "1", "3"], {1, 2, 3}, "skills") == [1, 3]
    for bad in (["4"], ["x"], ["1" * 12]):
        with pytest.raises(ProfileError):
            ids(bad, {1, 2, 3}, "skills")
    assert weekly(["2:evening", "0:morning", "0:evening"]) == ["0:morning", "0:evening", "2:evening"]
    with pytest.raises(ProfileError):
        weekly(["7:morning"])
    today = dt.date(2026, 11, 25)
    assert days_off("2026-11-26", "2026-11-28", today) == ["2026-11-26", "2026-11-27", "2026-11-28"]
    assert days_off("2026-11-26", "", today) == ["2026-11-26"]
    for start, end in (("2026-11-24", ""), ("2026-11-28", "2026-11-26"), ("soon", ""), ("2026-11-26", "2027-03-01"),
                       ("2028-12-01", "")):
        with pytest.raises(ProfileError):
            days_off(start, end, today)


def _visit(ticket_id: int, slot: str) -> dict:
    return {"id": ticket_id, "booking": {"slot": slot}}


def test_the_day_plan_puts_ended_slots_apart_today_in_order_then_the_days_after():
    from fragments.experts.domain.offers import plan_day

    now = dt.datetime(2026, 12, 4, 13, 30)
    day = plan_day([_visit(5, "2026-12-07T12:00:00"), _visit(1, "2026-02-02T16:00:00"),
                    _visit(3, "2026-12-04T16:00:00"), _visit(2, "2026-12-04T12:00:00"),
                    _visit(4, "2026-12-04T08:00:00"), _visit(6, "2026-12-05T08:00:00")], now)
    assert [t["id"] for t in day.missed] == [1, 4]  # ten months ago; this morning's slot has ended
    assert [t["id"] for t in day.today] == [2, 3]
    assert [t["id"] for t in day.upcoming] == [6, 5]
    assert [t["can_set_off"] for t in day.today + day.upcoming] == [True, True, False, False]
    late = plan_day([_visit(6, "2026-12-05T08:00:00")], dt.datetime(2026, 12, 4, 20, 30))
    assert late.upcoming[0]["can_set_off"]  # 08:00 tomorrow is within 12 hours
