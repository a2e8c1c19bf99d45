"""Service levels worked by hand on a calendar of Monday to Friday, 08:00-18:00, with England's public
holidays of Christmas 2026 (Fri 25 Dec, and Mon 28 Dec for Boxing Day, which falls on a Saturday)."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.ticketing.domain.service_levels import (
    Calendar,
    Deadline,
    Terms,
    alerts_due,
    deadlines,
    parse_weekdays,
    paused,
    terms_on,
    time_to_breach,
)

ENGLAND = Calendar(holidays=frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)}))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute)


@pytest.mark.parametrize("raised, hours, due", [
    (at(18, 16), 4, at(21, 10)),   # Fri 16:00: two hours on Friday, two on Monday
    (at(24, 15), 8, at(29, 13)),   # Thu 15:00: three hours, then Christmas, the weekend, Boxing Day's Monday
    (at(19, 10), 4, at(21, 12)),   # raised on a Saturday: the clock starts on Monday at 08:00
    (at(14, 7), 2, at(14, 10)),    # before opening: from 08:00
    (at(14, 18, 30), 1, at(15, 9)),  # after closing: from the next morning
])
def test_time_to_an_accepted_expert_counts_working_hours_only(raised, hours, due):
    accept, _ = deadlines(Terms(accept_hours=hours, visit_days=3, calendar=ENGLAND), raised)
    assert accept.due == due


@pytest.mark.parametrize("raised, days, due", [
    (at(24, 15), 1, at(29, 18)),   # the first working day after Christmas Eve is Tue 29 Dec
    (at(18, 9), 1, at(21, 18)),    # Friday: the next working day is Monday
    (at(19, 10), 0, at(21, 18)),   # Saturday, same day: the next working day
    (at(14, 9), 3, at(17, 18)),
])
def test_a_visit_within_n_working_days_is_due_at_the_close_of_that_day(raised, days, due):
    _, visit = deadlines(Terms(accept_hours=4, visit_days=days, calendar=ENGLAND), raised)
    assert visit.due == due


def test_a_wait_on_the_customer_moves_the_open_promises_by_the_working_time_it_lasted():
    accept, visit = deadlines(Terms(accept_hours=8, visit_days=1, calendar=ENGLAND), at(14, 9))
    assert accept.due == at(14, 17) and visit.due == at(15, 18)
    moved = paused([accept, visit], ENGLAND, at(14, 10), at(14, 15))  # five working hours waiting
    assert moved[0].due == at(15, 12) and moved[1].due == at(16, 13)
    overnight = paused([accept, visit], ENGLAND, at(14, 16), at(15, 9))  # 16-18 and 08-09: three hours
    assert overnight[0].due == at(15, 10)
    met = paused([Deadline("accept", at(14, 9), at(14, 17), met_at=at(14, 9, 30)), visit], ENGLAND,
                 at(14, 10), at(14, 15))
    assert met[0].due == at(14, 17) and met[1].due == at(16, 13)  # a kept promise does not move


def test_alerts_at_half_three_quarters_and_all_of_a_promise_once_each():
    accept, visit = deadlines(Terms(accept_hours=4, visit_days=2, calendar=ENGLAND), at(14, 8))
    assert accept.due == at(14, 12)
    assert alerts_due([accept, visit], ENGLAND, at(14, 9, 59), set()) == []
    assert alerts_due([accept, visit], ENGLAND, at(14, 10), set()) == ["accept:50"]
    assert alerts_due([accept, visit], ENGLAND, at(14, 11, 30), {"accept:50"}) == ["accept:75"]
    assert alerts_due([accept, visit], ENGLAND, at(14, 12), {"accept:50", "accept:75"}) == ["accept:100"]
    assert time_to_breach([accept, visit], at(14, 12, 30)) == dt.timedelta(minutes=-30)
    kept = Deadline("accept", accept.starts, accept.due, met_at=at(14, 9))
    assert alerts_due([kept], ENGLAND, at(14, 17), set()) == [] and not kept.breached(at(14, 17))
    assert time_to_breach([kept], at(14, 17)) is None


def test_a_contract_keeps_the_terms_it_was_sold_under_until_renewal():
    first, faster = Terms(accept_hours=4, visit_days=2), Terms(accept_hours=2, visit_days=1)
    versions = [(dt.date(2026, 1, 1), first), (dt.date(2026, 12, 1), faster)]
    assert terms_on(versions, dt.date(2026, 6, 1)) == first  # sold in June: the old terms, also after December
    assert terms_on(versions, dt.date(2026, 12, 10)) == faster  # renewed after the change
    assert terms_on(versions, dt.date(2025, 6, 1)) is None
    accept, _ = deadlines(terms_on(versions, dt.date(2026, 6, 1)), at(14, 9))
    assert accept.due == at(14, 13)
    # the same rule over the versions as the customers service publishes them
    from fragments.customers.published.promises_v1 import terms_in_force, version_in_force
    stated = [{"from": "2026-12-01", "accept_hours": 2, "visit_days": 1, "weekdays": "mon-fri", "opens": "08:00",
               "closes": "18:00"},
              {"from": "2026-01-01", "accept_hours": 4, "visit_days": 2, "weekdays": "mon-fri", "opens": "08:00",
               "closes": "18:00"}]
    assert version_in_force(stated, dt.date(2026, 6, 1))["from"] == "2026-01-01"
    assert version_in_force(stated, dt.date(2026, 12, 1))["from"] == "2026-12-01"
    assert version_in_force(stated, dt.date(2025, 12, 31)) is None
    sold_in_june = terms_in_force(stated, ["2026-12-25"], dt.date(2026, 6, 1))
    assert (sold_in_june.accept_hours, sold_in_june.visit_days) == (4, 2)
    assert dt.date(2026, 12, 25) in sold_in_june.calendar.holidays


def test_working_weeks_are_read_from_what_an_admin_types():
    assert parse_weekdays("mon-fri") == frozenset(range(5))
    assert parse_weekdays("Mon-Sat") == frozenset(range(6))
    assert parse_weekdays("mon, wed,fri") == frozenset({0, 2, 4})
    for wrong in ("", "funday", "fri-mon"):
        with pytest.raises(ValueError):
            parse_weekdays(wrong)
    saturdays = Calendar(weekdays=parse_weekdays("mon-sat"), holidays=ENGLAND.holidays)
    accept, _ = deadlines(Terms(accept_hours=4, visit_days=1, calendar=saturdays), at(18, 16))
    assert accept.due == at(19, 10)  # Saturday counts for this plan


def test_the_plan_puts_as_many_on_time_as_can_be_the_most_urgent_first_then_serves_the_rest():
    from fragments.ticketing.domain.matching import Option, plan_offers

    def opt(slot: str, on_time: bool = True, expert: int = 1) -> Option:
        return Option(expert, slot, on_time)

    # One expert, slots A and B. Urgent U can only be on time at A; relaxed R1 prefers A but B will do.
    plan = plan_offers([("U", [opt("A"), opt("B", False)]), ("R1", [opt("A"), opt("B")])])
    assert plan["U"].slot == "A" and plan["R1"].slot == "B"
    # R1 placed first on A moves to B when U needs A: nobody loses a place to a later, more urgent ticket.
    plan = plan_offers([("U", [opt("A")]), ("R1", [opt("A"), opt("B")]), ("R2", [opt("B"), opt("C", False)])])
    assert plan == {"U": opt("A"), "R1": opt("B"), "R2": opt("C", False)}
    # A ticket that can only be late takes no on-time place: it gets what is left, or nothing.
    plan = plan_offers([("L", [opt("A", False)]), ("R", [opt("A")])])
    assert plan == {"R": opt("A")}
    # Two experts at the same slot are two places.
    plan = plan_offers([("X", [opt("A", expert=1)]), ("Y", [opt("A", expert=1), opt("A", expert=2)])])
    assert plan["X"].expert_id == 1 and plan["Y"].expert_id == 2
