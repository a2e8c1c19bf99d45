"""Summaries add up: the summary of a set of tickets equals the merge of its parts' summaries (also
through their stored form), and the figures read from it equal the list-based definitions."""
from __future__ import annotations

import datetime as dt
import random

from fragments.reports.domain import metrics
from fragments.reports.domain.summary import Summary, summarise
from fragments.reports.services.service_levels import Promises
from tests.support.fake_plan_terms import FakePlanTerms

STATES = ["new", "unassigned", "offered", "assigned", "in_progress", "closed", "cancelled"]
OUTCOMES = ["offered", "accepted", "refused", "timed_out", "withdrawn"]


def random_ticket(rng: random.Random, n: int) -> dict:
    created = dt.datetime(2026, 11, 1) + dt.timedelta(seconds=rng.randint(0, 30 * 86400))
    at = lambda: (created + dt.timedelta(seconds=rng.randint(0, 200 * 3600))).isoformat()  # noqa: E731
    allocations = [{"expert_id": rng.randint(1, 6), "state": rng.choice(OUTCOMES), "at": at(),
                    "closed_at": rng.choice([None, at()]), "reason": rng.choice([None, "Too far away: 80 km", "Ill"])}
                   for _ in range(rng.randint(0, 4))]
    status = rng.choice(STATES)
    return {"id": n, "status": status, "product_id": rng.choice([1, 2, None]), "locale_id": rng.choice([1, 2]),
            "created_at": created.isoformat(), "closed_at": at() if status == "closed" or rng.random() < .1 else None,
            "reopened": rng.choice([None, 0, 1, 2]), "allocations": allocations}


def test_merged_parts_equal_the_whole_and_survive_being_stored():
    rng = random.Random(7)
    tickets = [random_ticket(rng, n) for n in range(400)]
    whole = summarise(tickets)
    merged = Summary()
    for start in range(0, len(tickets), 37):
        merged.merge(Summary.from_json(summarise(tickets[start:start + 37]).to_json()))
    assert merged == whole and merged.raised == 400
    ops, lines = metrics.TicketOps.of(merged), metrics.expert_lines_of(merged, [{"id": x} for x in range(1, 7)])
    assert ops.assign_median == metrics.median(ops.assign_hours)
    assert ops.close_p90 == metrics.percentile(ops.close_hours, 90)
    assert sum(line.offers for line in lines) == sum(len(t["allocations"]) for t in tickets)
    assert summarise([]) != whole and Summary.from_json(summarise([]).to_json()) == Summary()


def test_an_expert_unknown_to_the_expert_list_is_left_out_not_misattributed():
    ticket = {"id": 1, "status": "closed", "product_id": 1, "locale_id": 1, "created_at": "2026-11-01T08:00:00",
              "closed_at": "2026-11-01T10:00:00", "reopened": None,
              "allocations": [{"expert_id": 99, "state": "accepted", "at": "2026-11-01T09:00:00"}]}
    lines = metrics.expert_lines([ticket], [{"id": 5}, {"id": 100}])
    assert [(line.offers, line.close_hours) for line in lines] == [(0, []), (0, [])]


def test_a_refused_keep_costs_the_next_report_a_recomputation_not_this_one_its_answer():
    import datetime as dt

    from fragments.reports.adapters.graph import GraphReportSource
    from fragments.reports.services.daily import DailySummaries
    from graph_store.backends import GraphUnavailable

    ticket = random_ticket(random.Random(3), 1)
    day = dt.date.fromisoformat(ticket["created_at"][:10])

    class Refusing:
        def day_summaries(self, first, last):
            return {}

        def tickets_raised(self, first, last):
            return [ticket]

        def keep_day_summaries(self, days):
            raise GraphUnavailable("no replica in sync")

    source = GraphReportSource(None, None)
    source.tickets, source.days = Refusing(), Refusing()
    assert DailySummaries(source, Promises(FakePlanTerms())).graph_period(day, day) == summarise([ticket])


def test_a_long_stale_range_is_read_once_and_kept_in_batches():
    import datetime as dt

    from fragments.reports.services.daily import KEEP_BATCH, DailySummaries

    first = dt.date(2026, 1, 1)
    kept, reads = [], []

    class Source:
        def day_summaries(self, first, last):
            return {}

        def tickets_raised(self, first, last):
            reads.append((first, last))
            return []

        def keep_day_summaries(self, days):
            kept.append(len(days))
            return len(days)

    DailySummaries(Source(), Promises(FakePlanTerms())).graph_period(first, first + dt.timedelta(days=KEEP_BATCH + 9))
    assert reads == [(first, first + dt.timedelta(days=KEEP_BATCH + 9))] and kept == [KEEP_BATCH, 10]
