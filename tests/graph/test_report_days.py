"""The reports' kept per-day summaries (docs/adr/0019) against a full recomputation from the tickets,
after random sequences of ticket events played through the real ticketing services, on both graph
backends; and the version check that keeps a summary computed from old tickets from being kept."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from bridge_api.serializers import content_checksum
from fragments.reports.adapters.graph import GraphReportSource
from fragments.reports.domain.period import Period
from fragments.reports.domain.summary import summarise
from fragments.reports.services.daily import DailySummaries
from fragments.reports.services.reports import Reports
from fragments.reports.services.service_levels import Promises
from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from sysops.graph_data import GraphData
from tests.support.clock import Clock
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_catalogue import FakeCatalogue
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.fake_plan_terms import FakePlanTerms

T0 = dt.datetime(2026, 11, 2, 8, 0)
FIRST, LAST = T0.date() - dt.timedelta(days=3), T0.date() + dt.timedelta(days=12)
PRODUCTS = (50, 51, 52)
PERIODS = ("morning", "afternoon", "evening")


class Source(GraphReportSource):
    def migration(self):
        return {"legacy_total": 0, "graph_migrated": 0, "remaining": 0, "percent_migrated": 100.0, "lazy": 0,
                "backfill": 0, "last_reconciliation": None}


class Recomputing(Source):
    """Keeps nothing: every report is computed from every ticket (the reference)."""

    def day_summaries(self, first, last):
        return {}

    def keep_day_summaries(self, days):
        return 0


def legacy_ticket(ticket_id: int, created: dt.datetime, rng: random.Random) -> dict:
    status = rng.choice(["open", "closed", "assigned"])
    at = created.isoformat()
    history = [{"at": at, "actor": "call_centre:cc", "action": "created", "detail": "Raised by phone"}]
    expert = None if status == "open" else rng.choice([901, 902, 903])
    if expert:
        history.append({"at": (created + dt.timedelta(hours=1)).isoformat(), "actor": "system:legacy-dispatch",
                        "action": "assigned", "detail": f"Assigned to expert {expert}"})
    closed = (created + dt.timedelta(hours=rng.randint(2, 40))).isoformat() if status == "closed" else None
    if closed:
        history.append({"at": closed, "actor": f"expert:expert{expert}", "action": "status",
                        "detail": "in_progress -> closed. Fixed"})
    content = {"id": ticket_id, "reference": f"T-{ticket_id:07d}", "status": status, "channel": "phone",
               "description": "It broke down.", "customer_id": 7, "contract_id": 70,
               "product_id": rng.choice(PRODUCTS), "locale_id": 1, "assigned_expert_id": expert,
               "created_by": None, "created_at": at, "updated_at": history[-1]["at"], "closed_at": closed,
               "resolution": "Fixed" if closed else None,
               "slots": [(created + dt.timedelta(days=30)).replace(hour=8).isoformat()], "history": history}
    return {**content, "checksum": content_checksum(content), "frozen_at": None, "migrated_at": None,
            "survey": None}


@pytest.fixture
def world(graph_backend):
    bridge = FakeBridgeClient()
    bridge.product_list = [{"id": p, "name": f"Product {p}"} for p in PRODUCTS]
    bridge.locale_list = [{"id": 1, "name": "English"}]
    bridge.customers[7] = {"id": 7, "locale": {"id": 1}, "notification_preference": "email"}
    bridge.contracts[7] = [{"id": 70, "status": "active", "start_date": "2026-01-01", "end_date": None,
                            "product_ids": list(PRODUCTS)}]
    graph = GraphData(graph_backend, bridge)
    everywhen = [{"weekday": d, "period": p} for d in range(7) for p in PERIODS]
    for expert_id, products in ((901, [50, 51]), (902, [50]), (903, [51, 52])):
        graph.experts.import_profile({"id": expert_id, "employee_number": f"E{expert_id}", "first_name": "Exp",
                                      "last_name": str(expert_id), "active": True, "weekly_availability": everywhen,
                                      "time_off": [], "skills": [{"product_id": p, "level": 3} for p in products],
                                      "locale_ids": [1]}, T0.date())
    clock = Clock(T0)
    ticketing = build(graph_stores(graph.backend, bridge), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(bridge), clock=clock,
                      offer_timeout=dt.timedelta(hours=2))
    return graph, bridge, clock, ticketing


def offered(ticket):
    return next((a for a in ticket.allocations if a.state == "offered"), None)


def play(world, rng: random.Random, steps: int) -> list[int]:
    """Random ticket events in time order, with reports read in between (so summaries are kept and then
    go stale); returns the tickets raised."""
    graph, bridge, clock, ticketing = world
    reports = Reports(Source(graph.backend, graph.bridge), FakeCatalogue.of(bridge), clock, FakePlanTerms())
    raised: list[int] = []
    legacy_ids = iter(range(500, 10_000))
    for _ in range(steps):
        clock.now += dt.timedelta(minutes=rng.choice([7, 30, 90, 300, 700]))
        event = rng.choices(["raise", "accept", "refuse", "expire", "close", "reopen", "note", "cancel", "legacy",
                             "report"], weights=[6, 4, 2, 2, 3, 1, 1, 1, 2, 3])[0]
        if event == "raise" or not raised:
            slot = f"{(clock.now + dt.timedelta(days=rng.randint(1, 3))).date()} {rng.choice(PERIODS)}"
            raised.append(ticketing.orchestrator.raise_ticket(RaiseRequest(
                7, rng.choice(PRODUCTS), "It broke down today", [slot], "phone", "callcentre"))["id"])
            continue
        fits = {"accept": lambda t: offered(t), "refuse": lambda t: offered(t),
                "close": lambda t: t.status == "assigned", "reopen": lambda t: t.status == "closed",
                "cancel": lambda t: t.status in ("new", "unassigned", "offered")}.get(event)
        tickets = [ticketing.management.get(i) for i in raised]
        ticket = rng.choice([t for t in tickets if fits(t)] or tickets) if fits else rng.choice(tickets)
        offer, accepted = offered(ticket), next((a for a in ticket.allocations if a.state == "accepted"), None)
        if event == "accept" and offer:
            ticketing.assignment.accept(ticket.id, offer.expert_id, f"expert{offer.expert_id}")
        elif event == "refuse" and offer:
            ticketing.assignment.refuse(ticket.id, offer.expert_id, f"expert{offer.expert_id}",
                                        rng.choice(["Too far away", "Ill or on leave", "Not my skill: drones"]))
        elif event == "expire":
            clock.now += dt.timedelta(hours=2, minutes=1)
            ticketing.assignment.expire_due_offers()
        elif event == "close" and accepted and ticket.status == "assigned":
            ticketing.orchestrator.close(ticket.id, accepted.expert_id, f"expert{accepted.expert_id}", "Fixed it")
        elif event == "reopen" and ticket.status == "closed":
            ticketing.orchestrator.reopen(ticket.id, "callcentre", "broken again")
        elif event == "note":
            graph.tickets.add_note(ticket.id, actor="callcentre", note="Customer called", now=clock.now)
        elif event == "cancel" and ticket.status in ("new", "unassigned", "offered"):
            ticketing.orchestrator.cancel(ticket.id, "callcentre", "No longer needed")
        elif event == "legacy":
            created = clock.now - dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 8))
            record = legacy_ticket(next(legacy_ids), created, rng)
            bridge.legacy_tickets[record["id"]] = record
            graph.get_ticket(record["id"])  # migrated on first read
        elif event == "report":
            day = rng.choice([FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days)])
            reports.build(Period(day, min(LAST, day + dt.timedelta(days=rng.randint(0, 6)))))
    return raised


def daily_of(graph):
    return DailySummaries(Source(graph.backend, graph.bridge), Promises(FakePlanTerms()))


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_summaries_equal_a_full_recomputation_after_random_events(world, seed):
    graph, bridge, clock, _ = world
    raised = play(world, random.Random(seed), steps=90)
    source = Source(graph.backend, graph.bridge)
    kept = graph.reports.day_summaries(FIRST, LAST)
    assert any(e["summary"] and summarise([]).to_json() != e["summary"] for e in kept.values()), \
        "no summary of a day with tickets is kept and current"
    assert any(e["summary"] is None for e in kept.values()), "no kept summary went stale"
    whole = summarise(source.tickets_raised(FIRST, LAST))
    assert whole.refused and whole.timed_out and whole.reopened_tickets and len(whole.array("close")), \
        "events not played"
    daily = DailySummaries(source, Promises(FakePlanTerms()))
    for first, last in ((FIRST, LAST), (T0.date(), T0.date() + dt.timedelta(days=2)), (LAST, LAST)):
        assert daily.graph_period(first, last) == summarise(source.tickets_raised(first, last))
    end = max(LAST, clock.now.date())
    everything = daily.graph_period(FIRST, end)
    assert everything.raised >= len(raised) and everything == summarise(source.tickets_raised(FIRST, end))
    # Now every day of the range is kept and current: the same answer comes from the kept summaries alone.
    assert all(e["summary"] for e in graph.reports.day_summaries(FIRST, end).values())
    assert daily.graph_period(FIRST, end) == everything
    # And the whole screen equals the one computed from every ticket.
    period = Period(FIRST + dt.timedelta(days=3), LAST)
    incremental = Reports(source, FakeCatalogue.of(bridge), clock, FakePlanTerms()).build(period)
    reference = Reports(Recomputing(graph.backend, graph.bridge), FakeCatalogue.of(bridge), clock,
                        FakePlanTerms()).build(period)
    assert incremental["tables"] == reference["tables"]


def test_the_reports_worker_keeps_every_changed_day_current_so_a_first_report_reads_kept_summaries_only(world):
    graph, bridge, clock, _ = world
    play(world, random.Random(3), steps=60)
    source = Source(graph.backend, graph.bridge)
    daily = DailySummaries(source, Promises(FakePlanTerms()))
    graph.backend.write("MATCH (d:ReportDay) SET d.version = d.version + 1")  # as writes to every day would
    behind = source.stale_days(1000)
    assert len(behind) >= 3
    assert daily.keep_current(batch=2) == len(behind) and source.stale_days(1000) == {}  # in several rounds
    assert daily.keep_current() == 0  # nothing changed since
    reads = []
    original = source.tickets_raised
    source.tickets_raised = lambda first, last: reads.append((first, last)) or original(first, last)
    end = max(LAST, clock.now.date())
    assert daily.graph_period(FIRST, end) == summarise(original(FIRST, end))
    # Every day with tickets came from a kept summary; only days nobody raised anything on were asked (empty).
    assert all(original(first, last) == [] for first, last in reads)


def test_a_summary_computed_before_a_change_to_its_day_is_not_kept(world):
    graph, bridge, clock, ticketing = world
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, 50, "It broke down today", ["2026-11-03 morning"],
                                                              "phone", "callcentre"))["id"]
    day = T0.date()
    version = graph.reports.day_summaries(day, day)[day]["version"]
    stale = summarise(graph.reports.tickets_raised(day, day)).to_json()
    clock.now += dt.timedelta(hours=1)
    ticketing.orchestrator.cancel(ticket, "callcentre", "No longer needed")  # a change after the read
    assert graph.reports.keep_day_summaries([(day, version, stale)]) == 0
    assert graph.reports.day_summaries(day, day)[day]["summary"] is None
    fresh = daily_of(graph).graph_period(day, day)
    assert fresh.by_state == {"cancelled": 1}
    assert graph.reports.day_summaries(day, day)[day]["summary"] is not None


def test_tickets_written_before_they_carried_their_day_are_numbered_and_counted(world, graph_backend):
    graph, bridge, clock, _ = world
    graph.reports.keep_day_summaries([(T0.date(), 0, summarise([]).to_json())])  # an empty day, kept
    graph_backend.write("CREATE (:Ticket {id: 42, status: 'unassigned', product_id: 50, locale_id: 1, "
                        "created_at: $at, reopened_count: 0})", {"at": T0.isoformat()})
    assert daily_of(graph).graph_period(T0.date(), T0.date()).raised == 0  # not numbered yet
    graph.ensure_schema()
    summary = daily_of(graph).graph_period(T0.date(), T0.date())
    assert summary.raised == 1 and summary.by_product == {50: 1}


def test_every_store_write_to_a_ticket_makes_its_day_stale(world):
    graph, bridge, clock, _ = world
    day = T0.date()
    daily = daily_of(graph)

    def kept_is_current() -> bool:
        return graph.reports.day_summaries(day, day)[day]["summary"] is not None

    common = {"customer_id": 7, "contract_id": 70, "product_id": 50, "locale_id": 1, "description": "Broken",
              "channel": "web", "actor": "customer:c7", "slots": ["2026-11-03T08:00:00"]}
    ticket = graph.tickets.create(**common, now=T0).id
    slot = "2026-11-03T08:00:00"
    writes = [
        lambda: graph.offers.offer(ticket_id=ticket, expert_id=901, starts_at=slot, now=T0,
                                       expires_at=T0 + dt.timedelta(hours=2)),
        lambda: graph.offers.close_offer(ticket_id=ticket, expert_id=901, starts_at=slot, outcome="refused",
                                             actor="expert901", now=T0, reason="Too far away"),
        lambda: graph.tickets.update(ticket, changes={"status": "cancelled"}, actor="cc", action="status",
                                     detail="cancelled", now=T0),
        lambda: graph.tickets.create(**common, now=T0 + dt.timedelta(hours=1)),
    ]
    for write in writes:
        daily.graph_period(day, day)
        assert kept_is_current()
        write()
        assert not kept_is_current()
    assert daily.graph_period(day, day) == summarise(graph.reports.tickets_raised(day, day))


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.at = 1000.0

    def __call__(self):
        return self.at


def test_a_held_day_reads_only_the_tickets_written_since_and_equals_a_full_recomputation(world, graph_backend):
    """The screen's process holds a changed day's tickets: each report reads only those written since
    (by their stamps), and every answer equals the day computed from all its tickets; a write that left
    no stamp, a removed ticket, or an hour passing sends it back to reading the whole day."""
    graph, bridge, clock, ticketing = world
    from fragments.reports.services import daily as daily_module
    from fragments.ticketing.published.tickets_v1 import touch_report_day

    day = T0.date()
    source = Source(graph.backend, graph.bridge)
    whole_reads, changed_reads = [], []
    read_all, read_changed = source.tickets_raised, source.tickets_changed
    source.tickets_raised = lambda first, last: whole_reads.append((first, last)) or read_all(first, last)
    source.tickets_changed = lambda d, since: changed_reads.append((d, since)) or read_changed(d, since)
    ticks = Ticking()
    held = DailySummaries(source, Promises(FakePlanTerms()), hold=True, clock=ticks)

    def raise_one(product=50):
        return ticketing.orchestrator.raise_ticket(RaiseRequest(7, product, "It broke down today",
                                                                ["2026-11-03 morning"], "phone", "callcentre"))["id"]

    def answer_is_right() -> None:
        assert held.graph_period(day, day) == summarise(read_all(day, day))

    first = raise_one()
    answer_is_right()
    assert len(whole_reads) == 1
    second = raise_one(51)
    offer = offered(ticketing.management.get(first))
    writes = [lambda: graph.tickets.add_note(first, actor="cc", note="called", now=clock.now),
              lambda: ticketing.assignment.accept(first, offer.expert_id, f"expert{offer.expert_id}"),
              lambda: graph.tickets.add_note(first, actor="cc", note="called again", now=clock.now),
              lambda: ticketing.orchestrator.cancel(second, "callcentre", "No longer needed"),
              lambda: raise_one(52)]
    for write in [lambda: None, *writes]:  # the raise of `second` first, then each write
        write()
        answer_is_right()
    assert len(whole_reads) == 1 and len(changed_reads) == 1 + len(writes)

    # A write by a ticketing process that does not stamp (older than the stamps): the day is read in full.
    graph_backend.write("MATCH (t:Ticket {id: $id}) SET t.status = 'unassigned' "
                        "MERGE (d:ReportDay {day: t.created_day}) SET d.version = d.version + 1", {"id": second})
    answer_is_right()
    assert len(whole_reads) == 2
    # A ticket removed (as a reconciliation that takes a copy again does): read in full.
    graph_backend.write(f"MATCH (t:Ticket {{id: $id}}) {touch_report_day('t')} WITH t DETACH DELETE t", {"id": second})
    graph.tickets.add_note(first, actor="cc", note="and again", now=clock.now)  # a stamped write after it
    answer_is_right()
    assert len(whole_reads) == 3
    graph.tickets.add_note(first, actor="cc", note="once more", now=clock.now)
    answer_is_right()
    assert len(whole_reads) == 3
    # Held no longer than HELD_FOR_S: then the whole day again, whatever the stamps say.
    ticks.at += daily_module.HELD_FOR_S
    graph.tickets.add_note(first, actor="cc", note="an hour later", now=clock.now)
    answer_is_right()
    assert len(whole_reads) == 4


def test_a_held_day_is_dropped_when_a_plan_cannot_be_read(world):
    graph, bridge, clock, ticketing = world
    day = T0.date()
    terms = FakePlanTerms()
    held = DailySummaries(Source(graph.backend, graph.bridge), Promises(terms), hold=True)
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, 50, "It broke down today", ["2026-11-03 morning"],
                                                              "phone", "callcentre"))["id"]
    assert held.graph_period(day, day).raised == 1
    terms.down = True
    graph.tickets.add_note(ticket, actor="cc", note="called", now=clock.now)
    assert held.graph_period(day, day) == summarise(graph.reports.tickets_raised(day, day))
    assert day not in held._held  # not held with a ticket whose promises are unknown


def test_requests_answered_at_once_share_the_held_day_and_each_gets_the_whole_day(world):
    """gunicorn's threads build reports at once in one process: each answer is the day computed from all
    its tickets, whichever of them found the day held, took it or read it in full."""
    from concurrent.futures import ThreadPoolExecutor

    graph, bridge, clock, ticketing = world
    day = T0.date()
    held = DailySummaries(Source(graph.backend, graph.bridge), Promises(FakePlanTerms()), hold=True)
    tickets = [ticketing.orchestrator.raise_ticket(RaiseRequest(7, product, "It broke down today",
                                                                ["2026-11-03 morning"], "phone", "callcentre"))["id"]
               for product in PRODUCTS]
    with ThreadPoolExecutor(6) as pool:
        for n in range(4):
            graph.tickets.add_note(tickets[n % len(tickets)], actor="cc", note=f"call {n}", now=clock.now)
            expected = summarise(graph.reports.tickets_raised(day, day))
            answers = list(pool.map(lambda _: held.graph_period(day, day), range(12)))
            assert all(answer == expected for answer in answers)
