"""Graph store figures on the demo data, each next to its baseline from the same run.

    .venv/bin/python -m benchmarks.graph_migration [--preset 100x] [--tickets 5000] [--reads 300]

Prints:
1. backfill tickets/s (the real path: bridge over HTTP + one create-only write per ticket) next to
   its two physical limits on the same tickets: reading them straight from the legacy database
   (with history and slots, serialised as the bridge does), and FalkorDB's raw batched insert;
2. first read of a legacy ticket (migrating) vs later reads (graph only), p50/p99;
3. the candidate-experts query on the graph vs the equivalent SQL on the legacy database, p50/p99.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import selectinload

from bridge_api import serializers
from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from foundation.vocabulary import PERIODS, period_of
from fragments.ticketing.adapters.migration import backfill
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from shell_app.db import make_engine, make_session_factory
from shell_app.models import LegacyTicket, Survey
from sysops.graph_data import SCHEMA, GraphData

from .harness import Figures, gunicorn_monolith, mint, seeded_sqlite

SECRET = "benchmark-secret"

SQL_CANDIDATES = text("""
SELECT e.id, (SELECT count(*) FROM tickets o WHERE o.assigned_expert_id = e.id
              AND o.status IN ('assigned', 'in_progress')) AS load
FROM experts e
JOIN expert_skills s ON s.expert_id = e.id AND s.product_id = :product
JOIN expert_locales l ON l.expert_id = e.id AND l.locale_id = :locale
JOIN expert_availability a ON a.expert_id = e.id AND a.weekday = :weekday AND a.period = :period
WHERE e.active
  AND NOT EXISTS (SELECT 1 FROM expert_time_off t WHERE t.expert_id = e.id AND :day BETWEEN t.start_date AND t.end_date)
  AND NOT EXISTS (SELECT 1 FROM tickets k JOIN ticket_slots ts ON ts.ticket_id = k.id
                  WHERE k.assigned_expert_id = e.id AND k.status IN ('assigned', 'in_progress') AND ts.starts_at = :slot)
ORDER BY load, e.id LIMIT 10
""")


def timed(name: str, calls) -> Figures:
    latencies, started = [], time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t0) * 1000)
    return Figures(name, len(latencies), time.perf_counter() - started, latencies)


def prepared_database(preset: str, keep: str | None) -> str:
    """A fresh copy of the seeded legacy database (generating 100x takes minutes: --keep saves it)."""
    if keep and Path(keep).exists():
        work = Path(tempfile.mkdtemp(prefix="sysops-bench-")) / "legacy.db"
        shutil.copyfile(keep, work)
        return f"sqlite:///{work}"
    url = seeded_sqlite(preset)
    if keep:
        shutil.copyfile(url.removeprefix("sqlite:///"), keep)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="100x")
    parser.add_argument("--tickets", type=int, default=5000, help="tickets to backfill (from the lowest ids)")
    parser.add_argument("--reads", type=int, default=300, help="tickets for first-read vs later-read")
    parser.add_argument("--queries", type=int, default=300, help="candidate queries per side")
    parser.add_argument("--keep", metavar="PATH", help="keep the generated legacy database at PATH and reuse it "
                                                       "on later runs (the benchmark freezes and marks tickets "
                                                       "in it, so a reused copy is restored from PATH first)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    url = prepared_database(args.preset, args.keep)
    print(f"legacy database for preset {args.preset} ready in {time.perf_counter() - t0:.0f} s")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    graph_dir = Path(tempfile.mkdtemp(prefix="sysops-bench-graph-"))
    server = FalkorServer(graph_dir)
    process = server.spawn(stdout=subprocess.DEVNULL)
    server.wait_ready(process)
    try:
        with gunicorn_monolith(url, SECRET, workers=2) as base:
            bridge = HttpBridgeClient(base, lambda: mint(Principal("service", "backfill"), "bridge"))
            backend = FalkorBackend(graph="bench", unix_socket_path=str(server.socket_path))
            backend.ensure_schema(SCHEMA)
            store = GraphData(backend, bridge)
            report(args, sessions, server, store, bridge)
            bridge.close()
            backend.close()
    finally:
        process.terminate()
        process.wait(20)
        engine.dispose()


def report(args, sessions, server, store: GraphData, bridge) -> None:
    ids = list(range(1, args.tickets + 1))

    # Limit 1: the same tickets read straight from the legacy database (everything the migration needs:
    # slots, history, customer, survey), serialised as the bridge does.
    started = time.perf_counter()
    with sessions() as session:
        for start in range(0, len(ids), 500):
            rows = session.query(LegacyTicket).options(
                selectinload(LegacyTicket.slots), selectinload(LegacyTicket.history),
                selectinload(LegacyTicket.customer), selectinload(LegacyTicket.survey).selectinload(Survey.responses)
            ).filter(LegacyTicket.id.in_(ids[start:start + 500])).all()
            _shaped = [serializers.legacy_ticket(r, None) for r in rows]  # the cost measured
            session.expunge_all()
    legacy_read = len(ids) / (time.perf_counter() - started)

    # Limit 2: FalkorDB's raw batched insert of the same tickets and their events (no checks).
    raw = FalkorBackend(graph="bench-raw", unix_socket_path=str(server.socket_path))
    raw.clear()
    tickets = [bridge.get_legacy_ticket(i) for i in ids[: min(len(ids), 2000)]]
    started = time.perf_counter()
    for start in range(0, len(tickets), 500):
        raw.write("UNWIND $batch AS tk CREATE (t:Ticket {id: tk.id, reference: tk.reference, status: tk.status}) "
                  "WITH t, tk UNWIND tk.history AS h CREATE (t)-[:HAS_EVENT]->(:Event {at: h.at, detail: h.detail})",
                  {"batch": tickets[start:start + 500]})
    raw_insert = len(tickets) / (time.perf_counter() - started)
    raw.clear()
    raw.close()

    # The real backfill: freeze over HTTP, one create-only graph write per batch, mark over HTTP.
    result = backfill(store.tickets.migration, batch_size=400, workers=3, limit=len(ids))
    print(f"\n1. backfill of {result.seen} tickets of preset {args.preset}")
    print(f"   backfill (freeze + batched graph write + mark, 3 in flight) {result.per_second:>6,.0f} tickets/s")
    print(f"   limit: legacy DB read + serialise          {legacy_read:>10,.0f} tickets/s")
    print(f"   limit: FalkorDB raw batched insert         {raw_insert:>10,.0f} tickets/s (on {len(tickets)} tickets)")
    limit = min(legacy_read, raw_insert)
    print(f"   backfill / legacy read = {result.per_second / legacy_read:.2f}, "
          f"backfill / raw insert = {result.per_second / raw_insert:.3f}, "
          f"backfill / min(limits) = {result.per_second / limit:.2f} (target >= 0.50)")
    total = bridge.legacy_stats()["total"]
    print(f"   projected full backfill of the {total:,} tickets of preset {args.preset}: "
          f"{total / max(result.per_second, 1) / 60:.1f} min")

    sample = random.Random(1).sample(range(args.tickets + 1, args.tickets + 1 + 20 * args.reads), args.reads)
    first = timed("first read (migrates)", [lambda i=i: store.get_ticket(i) for i in sample])
    later = timed("later read (graph only)", [lambda i=i: store.get_ticket(i) for i in sample])
    print("\n2. reading a legacy ticket through the graph store")
    for figures in (first, later):
        print("   " + figures.row())
    print(f"   first / later p50 = {first.percentile(50) / later.percentile(50):.1f}x")

    imported = store.experts.import_all(bridge, dt.date.today())
    rng = random.Random(2)
    products = [p["id"] for p in bridge.products()]
    locales = [l["id"] for l in bridge.locales()]
    cases = []
    for _ in range(args.queries):
        slot = dt.datetime.combine(dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(28)),
                                   dt.time(rng.choice(list(PERIODS.values()))))
        cases.append((rng.choice(products), rng.choice(locales), slot))
    graph_q = timed("candidates: graph (Cypher)", [
        lambda c=c: store.offers.candidates(product_id=c[0], locale_id=c[1], slots=[c[2]],
                                                now=dt.datetime(2026, 11, 25)) for c in cases])
    with sessions() as session:
        sql_q = timed("candidates: legacy DB (SQL)", [
            lambda c=c: session.execute(SQL_CANDIDATES, {
                "product": c[0], "locale": c[1], "weekday": c[2].weekday(), "period": period_of(c[2]),
                "day": c[2].date(), "slot": c[2]}).all() for c in cases])
    print(f"\n3. candidate experts ({imported} expert profiles in the graph), one slot per query")
    for figures in (graph_q, sql_q):
        print("   " + figures.row())
    print(f"   graph / SQL p50 = {graph_q.percentile(50) / sql_q.percentile(50):.2f}x")


if __name__ == "__main__":
    main()
