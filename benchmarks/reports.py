"""The managers' reports over the 100x demo data: p50/p99 of the whole report for growing periods,
next to how many tickets each period holds, to show how the cost grows with the range; against the
baseline of computing every figure from every ticket of the period (the way before docs/adr/0019),
measured in the same run on the same graph, and checked to give the same tables.

    .venv/bin/python -m benchmarks.reports [--preset 100x --runs 15 --baseline-runs 3]

Setup (not measured): the preset is generated into SQLite, then every legacy ticket is bulk-loaded
into FalkorDB in the migrated shape (graph_store.migration.graph_shape: ticket properties and the
expert allocation; no history events, which the reports do not read) with batched UNWIND writes;
each day gets its ReportDay, as the migration's copies do. The customers part is loaded as its backfill
leaves it (customers with their contracts; plans with the terms quoted before this service; locales
with their region), so the service-level tables judge every ticket on its contract's terms through the
customers service's published reads, as in production. Measured: the reports worker's first round
(every day summarised and kept, as `make run` does in the background after a backfill), then for each
period the first build with today's day changed by live traffic (target: at most 1 s for any period)
and p50/p99 of later builds (target: 30 days p99 at most 300 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bridge_api import serializers
from fragments.customers.domain.plan_terms import quoted_terms
from fragments.customers.published.reader_v1 import CustomerReader
from fragments.reports.adapters.catalogue import PublishedCatalogue, PublishedTerms
from fragments.reports.adapters.graph import GraphReportSource
from fragments.reports.domain.period import Period
from fragments.reports.services.daily import DailySummaries
from fragments.reports.services.reports import Reports
from fragments.reports.services.service_levels import Promises
from fragments.ticketing.adapters.migration import graph_shape
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Contract, Customer, Expert, LegacyTicket, Locale, Plan, Product
from sysops.graph_data import SCHEMA, GraphData
from tests.support.fake_bridge import FakeBridgeClient

from .graph_migration import prepared_database
from .harness import Figures

ANCHOR = dt.date(2026, 11, 1)  # harness.seeded_sqlite's history ends here
BULK = """
UNWIND $batch AS s
CREATE (t:Ticket) SET t = s.ticket
WITH t, s UNWIND s.allocations AS a
MATCH (x:Expert {id: a.expert_id})
CREATE (x)-[:ALLOCATED {state: a.state, accepted: a.accepted, at: a.at, source: 'legacy'}]->(t)
"""


CUSTOMERS = """
UNWIND $batch AS s
CREATE (c:Customer) SET c = s.customer
WITH c, s UNWIND s.contracts AS k
CREATE (x:Contract) SET x = k
CREATE (c)-[:HOLDS]->(x)
"""


def load_customers(sessions, backend: FalkorBackend) -> int:
    """Plans, products, locales and every customer with their contracts, in the shape the customers part's copy writes."""
    with sessions() as session:
        plans = [{"id": p.id, "code": p.code, "name": p.name, "max_open_tickets": p.max_open_tickets,
                  "source": "legacy", "terms": quoted_terms(p.code)} for p in session.scalars(select(Plan))]
        locales = [{"id": loc.id, "code": loc.code, "name": loc.name, "region": loc.region, "source": "legacy"}
                   for loc in session.scalars(select(Locale))]
        products = [{"id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "source": "legacy"}
                    for p in session.scalars(select(Product))]
    backend.write("UNWIND $plans AS p CREATE (n:Plan) SET n = p", {"plans": plans})
    backend.write("UNWIND $products AS p CREATE (n:Product) SET n = p", {"products": products})
    backend.write("UNWIND $locales AS l CREATE (n:Locale) SET n = l", {"locales": locales})
    loaded, last_id = 0, 0
    while True:
        with sessions() as session:
            rows = session.scalars(select(Customer).where(Customer.id > last_id).order_by(Customer.id).limit(5000)
                                   .options(selectinload(Customer.contracts).selectinload(Contract.products))).all()
            batch = [{"customer": {"id": c.id, "locale_id": c.locale_id, "first_name": c.first_name,
                                   "last_name": c.last_name, "source": "legacy"},
                      "contracts": [{"id": k.id, "customer_id": c.id, "plan_id": k.plan_id,
                                     "start_date": k.start_date.isoformat(), "status": k.status,
                                     "end_date": k.end_date.isoformat() if k.end_date else None,
                                     "product_ids": [p.id for p in k.products]} for k in c.contracts]}
                     for c in rows]
        if not rows:
            return loaded
        backend.write(CUSTOMERS, {"batch": batch})
        loaded += len(rows)
        last_id = rows[-1].id


def load_graph(sessions, backend: FalkorBackend) -> int:
    with sessions() as session:
        experts = [{"id": e.id, "first_name": e.first_name, "last_name": e.last_name}
                   for e in session.scalars(select(Expert))]
    backend.write("UNWIND $experts AS e CREATE (x:Expert) SET x = e", {"experts": experts})
    loaded, last_id, now = 0, 0, dt.datetime(2026, 11, 1)
    while True:
        with sessions() as session:
            rows = session.scalars(select(LegacyTicket).where(LegacyTicket.id > last_id).order_by(LegacyTicket.id)
                                   .limit(2000).options(selectinload(LegacyTicket.slots),
                                                        selectinload(LegacyTicket.history),
                                                        selectinload(LegacyTicket.customer))).all()
            shapes = [graph_shape(serializers.legacy_ticket(r, None), "backfill", now) for r in rows]
        if not rows:
            # As the migration does (each copy bumps its day's version): every day with tickets has its
            # ReportDay, behind its (absent) summary, for the reports worker to find.
            backend.write("MATCH (t:Ticket) WITH DISTINCT t.created_day AS day "
                          "MERGE (r:ReportDay {day: day}) ON CREATE SET r.version = 1")
            return loaded
        backend.write(BULK, {"batch": [{"ticket": s["ticket"], "allocations": s["allocations"]} for s in shapes]})
        loaded += len(rows)
        last_id = rows[-1].id


class Source(GraphReportSource):
    def __init__(self, store: GraphData, legacy_total: int):
        super().__init__(store.backend, store.bridge)
        self.legacy_total = legacy_total

    def migration(self):  # everything was bulk-loaded; no bridge in this benchmark
        migrated = self.db.read("MATCH (t:Ticket) RETURN count(t) AS n")[0]["n"]
        return {"legacy_total": self.legacy_total, "graph_migrated": migrated, "remaining": 0,
                "percent_migrated": 100.0, "lazy": 0, "backfill": migrated, "last_reconciliation": None}


class Recomputing(Source):
    """The baseline: no kept summaries, every build reads every ticket of both periods (as before)."""

    def day_summaries(self, first, last):
        return {}

    def keep_day_summaries(self, days):
        return 0


def timed(build, runs: int, before_each=lambda: None) -> tuple[list[float], dict]:
    timings, data = [], {}
    for _ in range(runs):
        before_each()
        started = time.perf_counter()
        data = build()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, data


def breakdown(reports: Reports, period: Period, before_each) -> str:
    """Where one build's time goes (Reports.build_in_steps), after `before_each`."""
    before_each()
    return ", ".join(f"{name} {ms:.0f}" for name, ms in reports.build_in_steps(period))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="100x")
    parser.add_argument("--runs", type=int, default=15, help="report builds per period")
    parser.add_argument("--baseline-runs", type=int, default=3, help="full recomputations per period")
    parser.add_argument("--keep", metavar="PATH", help="keep the generated legacy database at PATH and reuse it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    url = prepared_database(args.preset, args.keep)
    print(f"generated preset {args.preset} in {time.perf_counter() - started:.0f} s", flush=True)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    server = FalkorServer(Path(tempfile.mkdtemp(prefix="sysops-bench-reports-")))
    process = server.spawn(stdout=subprocess.DEVNULL)
    server.wait_ready(process)
    try:
        backend = FalkorBackend(graph="reports", unix_socket_path=str(server.socket_path))
        backend.ensure_schema(SCHEMA)
        started = time.perf_counter()
        loaded = load_graph(sessions, backend)
        print(f"bulk-loaded {loaded:,} tickets into the graph in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        customers = load_customers(sessions, backend)
        print(f"bulk-loaded {customers:,} customers with their contracts in {time.perf_counter() - started:.0f} s",
              flush=True)
        bridge = FakeBridgeClient()  # nothing is only in the legacy system: every ticket was loaded
        with sessions() as session:
            legacy_total = session.scalar(select(func.count()).select_from(LegacyTicket))
        store = GraphData(backend, bridge)
        clock = lambda: dt.datetime.combine(ANCHOR, dt.time(12))  # noqa: E731
        reader = CustomerReader(backend, None)
        catalogue, terms = PublishedCatalogue(reader), PublishedTerms(reader)
        kept = Reports(Source(store, legacy_total), catalogue, clock, terms)
        recomputed = Reports(Recomputing(store, legacy_total), catalogue, clock, terms, hold=False)
        today = store.reports.tickets_raised(ANCHOR, ANCHOR)[0]["id"]

        def a_ticket_event_today() -> None:  # live traffic: today's summary is stale at every build
            store.tickets.add_note(today, actor="bench", note="called the customer", now=clock())

        started = time.perf_counter()
        days_kept = DailySummaries(Source(store, legacy_total), Promises(terms)).keep_current()
        print(f"the reports worker's first round after the bulk load: {days_kept} days summarised and kept in "
              f"{time.perf_counter() - started:.1f} s (then only the days traffic changes)", flush=True)

        print("\neach build: the period and the one before it; 'kept' = per-day summaries kept in the graph, the "
              "anchor day changed before every build; baseline = every ticket of both periods read (as before)")
        print(f"{'period':<9} {'tickets':>9} {'first ms':>9} {'kept p50':>9} {'kept p99':>9} {'base p50':>9} "
              f"{'base p99':>9} {'p50 ratio':>10} {'same':>5}")
        results, firsts = {}, {}
        for days in (7, 30, 90, 365):
            period = Period(ANCHOR - dt.timedelta(days=days - 1), ANCHOR)
            first, _ = timed(lambda: kept.build(period), 1, a_ticket_event_today)
            warm, data = timed(lambda: kept.build(period), args.runs, a_ticket_event_today)
            base, reference = timed(lambda: recomputed.build(period), args.baseline_runs, a_ticket_event_today)
            firsts[days] = first[0]
            same = data["tables"] == reference["tables"]
            w = Figures(f"{days} days", len(warm), sum(warm) / 1000, warm)
            b = Figures(f"{days} days", len(base), sum(base) / 1000, base)
            results[days] = (w, data["raised"] + data["raised_before"])
            print(f"{days:>4} days {results[days][1]:>9,} {first[0]:>9.1f} {w.percentile(50):>9.1f} "
                  f"{w.percentile(99):>9.1f} {b.percentile(50):>9.1f} {b.percentile(99):>9.1f} "
                  f"{w.percentile(50) / b.percentile(50):>9.3f}x {'yes' if same else 'NO':>5}", flush=True)
            if not same:
                print("  the kept summaries and the full recomputation disagree!")
        print("where a 30-day build's time goes (ms):", breakdown(kept, Period(ANCHOR - dt.timedelta(days=29), ANCHOR),
                                                                   a_ticket_event_today))
        (w7, t7), (w30, _), (w365, t365) = results[7], results[30], results[365]
        print(f"growth 7 -> 365 days: x{w365.percentile(50) / w7.percentile(50):.1f} time for "
              f"x{t365 / max(t7, 1):.1f} tickets")
        for days, figures, budget in ((30, w30, 300), (365, w365, 1000)):
            verdict = "met" if figures.percentile(99) <= budget else "NOT met"
            print(f"budget: {days}-day p99 {figures.percentile(99):.0f} ms <= {budget} ms: {verdict}")
        slowest = max(firsts.values())
        print(f"budget: the first build of any period (the worker keeping summaries, today's day changed) "
              f"{slowest:.0f} ms <= 1000 ms: {'met' if slowest <= 1000 else 'NOT met'}")
        backend.close()
    finally:
        process.terminate()
        process.wait(20)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
