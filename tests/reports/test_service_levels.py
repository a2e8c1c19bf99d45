"""The compliance figures' rules, on hand-worked tickets: which promise each ticket carries (stored at
its raise, or computed from the terms its contract keeps, across a weekend and public holidays), when
it counts as kept, breached or open (paused while waiting on the customer), and a summary kept only
when every ticket's plan could be read."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fragments.customers.domain.plan_terms import version
from fragments.reports.domain import service_levels as sla
from fragments.reports.domain.summary import Summary, summarise
from fragments.reports.services.daily import DailySummaries
from fragments.reports.services.service_levels import Promises
from tests.support.fake_plan_terms import FakePlanTerms

HOME = [version(effective="2000-01-01", accept_hours=8, visit_days=3),
        # a change of terms: contracts sold before 2026-06-01 keep the first version until renewed
        version(effective="2026-06-01", accept_hours=2, visit_days=1)]
ENGLISH, SCOTTISH = 1, 2


def terms(contract_start="2026-01-01"):
    return FakePlanTerms(plans={3: HOME}, contracts={70: {"plan_id": 3, "start_date": contract_start}},
                         regions={ENGLISH: "England", SCOTTISH: "Scotland"})


def ticket(created, *, status="unassigned", accepted=None, closed=None, locale=ENGLISH, **more):
    allocations = [{"expert_id": 9, "state": "accepted", "at": accepted, "closed_at": accepted}] if accepted else []
    return {"id": 1, "status": status, "product_id": 5, "locale_id": locale, "created_at": created, "closed_at": closed,
            "reopened": 0, "customer_id": 7, "contract_id": 70, "allocations": allocations, **more}


def dues(t):
    return {sla.KINDS[kind]: dt.datetime.fromtimestamp(due, dt.UTC).replace(tzinfo=None).isoformat()
            for kind, due, _ in t["promises"]}


def test_a_legacy_ticket_is_judged_on_its_contracts_terms_across_christmas():
    # Raised Thursday 24 December 2026 at 10:00 in England: 8 working hours end at 18:00 the same day.
    # The visit within 3 working days: Friday 25th (Christmas) and Monday 28th (the Boxing Day substitute)
    # are holidays, the weekend is not worked: Tuesday 29th, Wednesday 30th, Thursday 31st by 18:00.
    christmas = ticket("2026-12-24T10:00:00")
    assert Promises(terms()).attach([christmas]) is True
    assert christmas["plan_id"] == 3
    assert dues(christmas) == {"accept": "2026-12-24T18:00:00", "visit": "2026-12-31T18:00:00"}


def test_a_weekend_and_the_areas_own_holidays_move_the_deadlines():
    # Raised Friday 27 November 2026 at 16:00: 2 hours left that day, 6 more on Monday 30th from 08:00.
    # In Scotland Monday 30 November is St Andrew's Day: the 6 hours fall on Tuesday 1 December.
    england, scotland = ticket("2026-11-27T16:00:00"), ticket("2026-11-27T16:00:00", locale=SCOTTISH)
    Promises(terms()).attach([england, scotland])
    assert dues(england) == {"accept": "2026-11-30T14:00:00", "visit": "2026-12-02T18:00:00"}
    assert dues(scotland) == {"accept": "2026-12-01T14:00:00", "visit": "2026-12-03T18:00:00"}


def test_a_contract_sold_after_a_change_of_terms_keeps_the_new_ones():
    later = ticket("2026-11-27T16:00:00")
    Promises(terms(contract_start="2026-07-01")).attach([later])
    # 2 working hours: Friday 16:00-18:00; the visit within 1 working day: Monday 30th by 18:00.
    assert dues(later) == {"accept": "2026-11-27T18:00:00", "visit": "2026-11-30T18:00:00"}


def test_a_ticket_raised_here_keeps_the_deadlines_it_carries_and_is_not_looked_up():
    fake = terms()
    raised_here = ticket("2026-11-27T16:00:00", plan_id=3, accept_by="2026-12-01T09:00:00",
                         visit_by="2026-12-04T18:00:00")  # moved later by a wait on the customer
    Promises(fake).attach([raised_here])
    assert dues(raised_here) == {"accept": "2026-12-01T09:00:00", "visit": "2026-12-04T18:00:00"}
    assert fake.asked == []


def test_kept_breached_open_and_paused_at_the_moment_of_reading():
    now = dt.datetime(2026, 12, 2, 12, 0)
    kept = ticket("2026-11-30T09:00:00", status="closed", accepted="2026-11-30T10:00:00", closed="2026-12-01T15:00:00")
    late = ticket("2026-11-30T09:00:00", status="closed", accepted="2026-12-01T10:00:00", closed="2026-12-04T09:00:00")
    due_later = ticket("2026-12-02T09:00:00")  # accept due 17:00 today, not yet: open
    overdue = ticket("2026-11-30T09:00:00")  # never accepted, due Monday 17:00: breached
    paused = ticket("2026-11-30T09:00:00", waiting_since="2026-11-30T10:00:00")  # past due, but paused: open
    tickets = [kept, late, due_later, overdue, paused]
    Promises(terms()).attach(tickets)
    for one, expected in zip(tickets, ([1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 1],
                                       [0, 1, 0, 0, 0, 1], [0, 0, 1, 0, 0, 1])):
        # accept kept, breached, open; visit kept, breached, open
        counts = sla.compliance(summarise([one]), "plan", now)
        assert [*counts[(3, 0)], *counts[(3, 1)]] == expected
    # overdue's visit (by Thursday 3 December 18:00) is not due yet; the share kept counts kept and breached
    assert sla.compliance(summarise(tickets), "plan", now) == {(3, 0): (1, 2, 2), (3, 1): (1, 1, 3)}
    assert sla.compliance(summarise(tickets), "product", now) == {(5, 0): (1, 2, 2), (5, 1): (1, 1, 3)}
    # the same tickets judged a week later: every promise not met is breached, the paused ones still open
    later = sla.compliance(summarise(tickets), "locale", now + dt.timedelta(days=7))
    assert later == {(ENGLISH, 0): (1, 3, 1), (ENGLISH, 1): (1, 3, 1)}
    assert sla.share_kept(1, 2) == 1 / 3 and sla.share_kept(0, 0) is None


def test_the_promises_survive_the_kept_form_of_a_summary():
    closed = {"status": "closed", "accepted": "2026-11-30T10:00:00", "closed": "2026-12-01T15:00:00"}
    tickets = [ticket("2026-11-27T16:00:00"), ticket("2026-11-30T09:00:00", **closed),
               ticket("2026-11-30T11:00:00", **closed)]
    Promises(terms()).attach(tickets)
    tickets.append({**ticket("2026-11-30T09:00:00"), "contract_id": 71, "promises": []})  # plan not known
    whole = summarise(tickets)
    again = Summary.from_json(whole.to_json())
    assert again == whole and again.sla_unknown == 1
    # kept: the promises met added up per key and kind (2 accepts kept, 2 visits kept); those not met one row each
    assert again.array("sla_count").tolist() == [2, 2] and len(again.array("sla_open_due")) == 2
    assert again.array("sla_open_due").dtype == np.int64
    now = dt.datetime(2026, 12, 2, 12, 0)
    assert sla.compliance(again, "plan", now) == sla.compliance(summarise(tickets), "plan", now)


def test_a_day_whose_plans_cannot_be_read_now_is_answered_but_not_kept():
    day = dt.date(2026, 11, 30)
    kept = []

    class Source:
        def day_summaries(self, first, last):
            return {}

        def tickets_raised(self, first, last):
            return [ticket("2026-11-30T09:00:00")]

        def keep_day_summaries(self, days):
            kept.append(days)
            return len(days)

    fake = terms()
    fake.down = True
    answer = DailySummaries(Source(), Promises(fake)).graph_period(day, day)
    assert answer.raised == 1 and answer.sla_unknown == 1 and kept == []
    fake.down = False
    answer = DailySummaries(Source(), Promises(fake)).graph_period(day, day)
    assert answer.sla_unknown == 0 and len(kept) == 1


def test_the_contracts_read_are_kept_a_few_minutes_and_an_unavailable_service_is_said():
    from fragments.customers.published.reader_v1 import CustomersUnavailable
    from fragments.reports.adapters.catalogue import CONTRACTS_KEPT_S, PublishedTerms
    from fragments.reports.services.ports import TermsUnavailable

    asked = []

    class Reader:
        down = False

        def contract_plans(self, contracts):
            if self.down:
                raise CustomersUnavailable("not answering")
            asked.append(sorted(contracts))
            return {k: {"plan_id": 3, "start_date": "2026-01-01"} for k in contracts if k != 99}

    now = [1000.0]
    reader = Reader()
    terms = PublishedTerms(reader, clock=lambda: now[0])
    assert set(terms.contract_plans({70: 7, 71: 8, 99: 9})) == {70, 71}
    assert set(terms.contract_plans({70: 7, 72: 8})) == {70, 72} and asked == [[70, 71, 99], [72]]
    now[0] += CONTRACTS_KEPT_S
    reader.down = True
    try:
        terms.contract_plans({70: 7})
        raise AssertionError("an unavailable customers service must be said")
    except TermsUnavailable:
        pass


def test_every_plans_terms_and_the_regions_are_read_once_a_minute_and_a_failed_read_is_not_kept():
    from fragments.reports.adapters.catalogue import LISTS_KEPT_S, PublishedTerms
    from fragments.reports.services.ports import TermsUnavailable
    from graph_store.errors import StoreError

    reads = []

    class Reader:
        down = False

        def every_plan_terms(self):
            reads.append("terms")
            if self.down:
                raise StoreError("graph not answering")
            return {3: [{"from": "2026-01-01", "accept_hours": 8}]}

        def locales(self):
            reads.append("locales")
            return [{"id": 1, "code": "en-GB-SCT", "region": "scotland"}, {"id": 2, "code": "en-GB"}]

    now = [1000.0]
    reader = Reader()
    terms = PublishedTerms(reader, clock=lambda: now[0])
    for _ in range(3):  # three recomputations within the minute
        assert terms.every_plan_terms() == {3: [{"from": "2026-01-01", "accept_hours": 8}]}
        assert terms.regions() == {1: "scotland", 2: None}
    assert reads == ["terms", "locales"]
    now[0] += LISTS_KEPT_S
    reader.down = True
    with pytest.raises(TermsUnavailable):
        terms.every_plan_terms()
    reader.down = False
    assert terms.every_plan_terms() and reads == ["terms", "locales", "terms", "terms"]  # the failure not kept


def test_groups_are_counted_alike_in_an_array_and_after_sorting(monkeypatch):
    now = dt.datetime(2026, 12, 2, 12, 0)
    tickets = [ticket("2026-11-30T09:00:00", status="closed", accepted="2026-11-30T10:00:00",
                      closed="2026-12-01T15:00:00"), ticket("2026-11-30T09:00:00"), ticket("2026-12-02T09:00:00")]
    Promises(terms()).attach(tickets)
    tickets[1]["product_id"] = 6
    tickets.append({**ticket("2026-11-30T09:00:00"), "product_id": None, "promises": tickets[1]["promises"]})
    expected = {(5, 0): (1, 0, 1), (5, 1): (1, 0, 1), (6, 0): (0, 1, 0), (6, 1): (0, 0, 1),
                (-1, 0): (0, 1, 0), (-1, 1): (0, 0, 1)}  # -1: no product
    assert sla.compliance(summarise(tickets), "product", now) == expected  # small ids: one array of groups
    tickets[1]["product_id"] = 7_000_000  # an id beyond the array's range: sorted instead
    assert sla.compliance(summarise(tickets), "product", now) == {
        (7_000_000 if key == 6 else key, kind): counts for (key, kind), counts in expected.items()}
    tickets[1]["product_id"] = 6
    monkeypatch.setattr(sla, "DENSE_GROUPS", 0)  # every group sorted
    assert sla.compliance(summarise(tickets), "product", now) == expected
