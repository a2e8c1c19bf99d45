"""The customers part's backfill on the demo data, next to its two limits measured in the same run, and
the reconciliation of everything copied (docs/adr/0025).

    .venv/bin/python -m benchmarks.customers_migration [--preset 100x] [--keep PATH]

Prints:
1. the backfill (the real path: the bridge over HTTP freezes a batch of customers with their contracts,
   one create-only graph write per batch, the bridge marks them) in customers/s, next to its two
   physical limits on the same customers: reading them straight from the legacy database (with their
   contracts, serialised as the bridge does), and FalkorDB's raw batched insert of the same records;
2. the catalogue's copy (products, plans, locales);
3. the reconciliation of every customer, contract, product, plan and locale against the monolith, by
   checksum (target: 0 findings).
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import selectinload

from bridge_api import serializers
from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from fragments.customers.adapters.catalogue import GraphCatalogueAdmin
from fragments.customers.adapters.customers import GraphCustomers
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Contract, Customer
from sysops.customer_commands import reconcile_all
from sysops.graph_data import SCHEMA

from .graph_migration import prepared_database
from .harness import gunicorn_monolith, mint

SECRET = "benchmark-secret"


def legacy_read_rate(sessions, ids: list[int]) -> float:
    """Limit 1: the customers read straight from the legacy database and shaped as the bridge ships them."""
    started = time.perf_counter()
    with sessions() as session:
        for start in range(0, len(ids), 500):
            rows = session.query(Customer).options(selectinload(Customer.contracts).selectinload(Contract.products)) \
                .filter(Customer.id.in_(ids[start:start + 500])).all()
            _shaped = [serializers.handover(r, serializers.customer_content(r)) for r in rows]  # the cost measured
            session.expunge_all()
    return len(ids) / (time.perf_counter() - started)


def raw_insert_rate(server: FalkorServer, records: list[dict]) -> float:
    """Limit 2: FalkorDB's raw batched insert of the same customers and their contracts (no checks)."""
    raw = FalkorBackend(graph="bench-raw", unix_socket_path=str(server.socket_path))
    raw.clear()
    started = time.perf_counter()
    for start in range(0, len(records), 400):
        raw.write("UNWIND $batch AS c CREATE (n:Customer {id: c.id, first_name: c.first_name, last_name: c.last_name, "
                  "email: c.email, phone: c.phone, postcode: c.postcode}) WITH n, c UNWIND c.contracts AS k "
                  "CREATE (n)-[:HOLDS]->(:Contract {id: k.id, plan_id: k.plan_id, product_ids: k.product_ids})",
                  {"batch": records[start:start + 400]})
    rate = len(records) / (time.perf_counter() - started)
    raw.clear()
    raw.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="100x")
    parser.add_argument("--workers", type=int, default=2, help="backfill batches in flight")
    parser.add_argument("--keep", metavar="PATH", help="keep the generated legacy database at PATH and reuse it")
    args = parser.parse_args()
    t0 = time.perf_counter()
    url = prepared_database(args.preset, args.keep)
    print(f"legacy database for preset {args.preset} ready in {time.perf_counter() - t0:.0f} s", flush=True)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    server = FalkorServer(Path(tempfile.mkdtemp(prefix="sysops-bench-graph-")))
    process = server.spawn(stdout=subprocess.DEVNULL)
    server.wait_ready(process)
    try:
        with gunicorn_monolith(url, SECRET, workers=2) as base:
            bridge = HttpBridgeClient(base, lambda: mint(Principal("service", "backfill"), "bridge"))
            backend = FalkorBackend(graph="bench", unix_socket_path=str(server.socket_path))
            backend.ensure_schema(SCHEMA)
            report(args, sessions, server, backend, bridge)
            bridge.close()
            backend.close()
    finally:
        process.terminate()
        process.wait(20)
        engine.dispose()


def report(args, sessions, server: FalkorServer, backend: FalkorBackend, bridge: HttpBridgeClient) -> None:
    ids = list(bridge.handover_ids("customers"))
    legacy_read = legacy_read_rate(sessions, ids)
    sample = [record for start in range(0, min(len(ids), 10_000), 500)
              for record in bridge.freeze_handover("customers", ids[start:start + 500])]
    raw_insert = raw_insert_rate(server, sample)

    customers, catalogue = GraphCustomers(backend, bridge), GraphCatalogueAdmin(backend, bridge)
    started = time.perf_counter()
    copied = catalogue.copy_all()
    catalogue_s = time.perf_counter() - started
    result = customers.backfill(batch_size=400, workers=args.workers)
    print(f"\n1. backfill of the {result.seen:,} customers (with their contracts) of preset {args.preset}")
    print(f"   backfill (freeze + batched graph write + mark, {args.workers} in flight) "
          f"{result.per_second:>8,.0f} customers/s ({result.seconds:.1f} s)")
    print(f"   limit: legacy DB read + serialise          {legacy_read:>10,.0f} customers/s")
    print(f"   limit: FalkorDB raw batched insert         {raw_insert:>10,.0f} customers/s (on {len(sample):,})")
    print(f"   backfill / legacy read = {result.per_second / legacy_read:.2f}, "
          f"backfill / raw insert = {result.per_second / raw_insert:.3f}, "
          f"backfill / min(limits) = {result.per_second / min(legacy_read, raw_insert):.2f}")
    print(f"\n2. the catalogue: {copied} products, plans and locales copied in {catalogue_s:.2f} s")

    started = time.perf_counter()
    found = reconcile_all(customers, catalogue, bridge)
    seconds = time.perf_counter() - started
    print(f"\n3. reconciliation by checksum in {seconds:.1f} s")
    for part, r in found.items():
        print(f"   {part:<10} {r.checked:>8,} checked, {r.matching:>8,} matching, {r.not_migrated} not copied, "
              f"{len(r.findings)} findings")
    print(f"   findings in all: {sum(len(r.findings) for r in found.values())} (target 0)")


if __name__ == "__main__":
    main()
