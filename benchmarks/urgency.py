"""Assignment that serves the ticket nearest its breach first, against first come, first served, on the
same generated days of competing raises (issue 27): breaches counted both ways in the same run.

    .venv/bin/python -m benchmarks.urgency [--seed 7 --days 60 --raises 10]

The real use cases (ticketing's management and assignment) over the in-memory stores and a simulated
clock. Each generated day begins with raises that compete for one scarce expert: `--raises` tickets
stored overnight (the expert who covers the product was away) and dispatched together at 07:00, as the
worker's sweep does. One in four is under the Premium plan (an accepted expert within 4 working hours,
the visit by the end of the next working day), the rest under Essential (16 hours, 5 working days).
Premium customers name three of the next four working half-days, the others three of the next nine;
the expert is free for all of them, three a day. Every offer is accepted at once. A visit is late when
its booked slot starts after the promise or nothing was booked; an accepted expert likewise. Prints
both counts and their ratio; the run fails if weighing urgency breaches more than first come, first
served.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys

from foundation.vocabulary import PERIODS
from fragments.ticketing.domain.ticket import Ticket
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.memory_ticket_store import MemoryTicketStore

PRODUCT, LOCALE, EXPERT = 11, 1, 1
FIRST_DAY = dt.date(2027, 1, 12)  # a Tuesday of weeks without a public holiday
PLANS = {1: ("PREMIUM", 4, 1), 2: ("ESSENTIAL", 16, 5)}  # id: (code, accept hours, visit days)
PREMIUM_SHARE = 0.25


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def working_slots(day: dt.date, count: int) -> list[dt.datetime]:
    """The next `count` half-days from `day` on, on working days (those a customer may book)."""
    days = [day + dt.timedelta(days=d) for d in range(14)]
    return [dt.datetime.combine(d, dt.time(hour)) for d in days if d.weekday() < 5
            for hour in PERIODS.values()][:count]


def generated_day(rng: random.Random, day: dt.date, raises: int) -> list[tuple[dt.datetime, int, list[str]]]:
    """(when, plan id, three preferred slots) per raise, in raise order: stored overnight."""
    night = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18))
    made = []
    for minute in sorted(rng.sample(range(0, 12 * 60), raises)):
        plan = 1 if rng.random() < PREMIUM_SHARE else 2
        choices = working_slots(day, 9)
        slots = sorted(rng.sample(choices[:4] if plan == 1 else choices, 3))
        made.append((night + dt.timedelta(minutes=minute), plan,
                     [f"{s.date().isoformat()} {_period(s)}" for s in slots]))
    return made


def _period(moment: dt.datetime) -> str:
    return next(name for name, hour in PERIODS.items() if hour == moment.hour)


def run(raises: list[tuple[dt.datetime, int, list[str]]], urgency: bool) -> dict[str, int]:
    store, bridge = MemoryTicketStore(), FakeBridgeClient()
    bridge.product_list = [{"id": PRODUCT, "name": "Television"}]
    customers = FakeCustomers(bridge)
    for plan_id, (_code, hours, days) in PLANS.items():
        customers.terms[plan_id] = [{"from": "2000-01-01", "accept_hours": hours, "visit_days": days,
                                     "weekdays": "mon-fri", "opens": "08:00", "closes": "20:00"}]
    clock = Clock(raises[0][0])
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(), customers=customers, clock=clock,
                      offer_timeout=dt.timedelta(minutes=10))
    ticketing.assignment.urgency_first = urgency
    stored = []
    for index, (at, plan_id, slots) in enumerate(raises):  # overnight: stored, nobody to offer them to
        clock.now = at
        customer_id = index + 1
        bridge.customers[customer_id] = {"id": customer_id, "locale": {"id": LOCALE, "region": "London"},
                                         "notification_preference": "email"}
        bridge.contracts[customer_id] = [{"id": customer_id, "status": "active", "start_date": "2026-01-01",
                                          "end_date": None, "product_ids": [PRODUCT],
                                          "plan": {"id": plan_id, "code": PLANS[plan_id][0], "name": ""}}]
        stored.append(ticketing.management.store_ticket(RaiseRequest(customer_id, PRODUCT, "The picture freezes",
                                                                     slots, "web", f"customer{customer_id}")))
    clock.now = dt.datetime.combine(raises[0][0].date() + dt.timedelta(days=1), dt.time(7))  # the morning after
    store.add_expert(EXPERT, products={PRODUCT}, locales={LOCALE},
                     weekly={f"{d}:{p}" for d in range(5) for p in PERIODS}, score=4.0)
    ticketing.assignment.dispatch_many(stored)  # the morning sweep: every waiting ticket, one dispatch
    for ticket in stored:
        offer = next((a for a in store.get(ticket.id).allocations if a.state == "offered"), None)
        if offer is not None:
            ticketing.assignment.accept(ticket.id, offer.expert_id, f"expert{offer.expert_id}")
    return _breaches(store, clock.now)


def _breaches(store: MemoryTicketStore, accepted_at: dt.datetime) -> dict[str, int]:
    counts = {"tickets": 0, "visit": 0, "accept": 0}
    for record in store.tickets.values():
        ticket = Ticket.from_record(record)
        booked = next((a for a in ticket.allocations if a.state == "accepted"), None)
        counts["tickets"] += 1
        counts["visit"] += booked is None or dt.datetime.fromisoformat(booked.held_slot) > dt.datetime.fromisoformat(
            ticket.visit_by or "")
        counts["accept"] += booked is None or accepted_at > dt.datetime.fromisoformat(ticket.accept_by or "")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--raises", type=int, default=10, help="raises competing each morning")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    days = [generated_day(rng, FIRST_DAY + dt.timedelta(weeks=n), args.raises) for n in range(args.days)]
    totals = {}
    for name, urgency in (("fcfs", False), ("urgent", True)):
        runs = [run(raises, urgency) for raises in days]
        totals[name] = {key: sum(r[key] for r in runs) for key in runs[0]}
    print(f"generated: {args.days} mornings of {args.raises} competing raises ({totals['fcfs']['tickets']} tickets), "
          f"seed {args.seed}; one expert, three half-days a day")
    for name, label in (("fcfs", "first come, first served"), ("urgent", "nearest breach first")):
        print(f"  {label:<25} visits late {totals[name]['visit']:>5}, experts accepted late {totals[name]['accept']:>5}")
    without = totals["fcfs"]["visit"] + totals["fcfs"]["accept"]
    with_urgency = totals["urgent"]["visit"] + totals["urgent"]["accept"]
    print(f"  breaches with urgency / without: {with_urgency} / {without} = "
          f"{with_urgency / without if without else float(with_urgency > 0):.2f}")
    return 0 if with_urgency <= without else 1


if __name__ == "__main__":
    sys.exit(main())
