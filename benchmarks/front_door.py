"""The composition shell at the front door (ADR 0033) against the legacy screens, on the same data in
one run (issue 28's target: every composed page p50 at most 1.0x its legacy counterpart in Chromium):
sign-in, the staff home, a customer's page, a ticket's page and the customer search, each as the
monolith alone serves it (its own screens and database, no service installed: the legacy system before
the migration) and as the composition shell serves it (no database; the services' fragments, people
signed in by the identity service).

    .venv/bin/python -m benchmarks.front_door [--preset small --rounds 5 --loads 8 --threads 4 --requests 15]
                                              [--legacy-database sqlite|postgresql]

Prints per page: time until every fragment has rendered in headless Chromium (p50/p99; the legacy and
the composed page taking turns load by load, benchmarks.composition.chromium_in_turns) and p50/p99 of
the page under concurrent HTTP load (the composed page with the slots not in its first paint fetched
after it, as the browser does), then each composed figure as a ratio of its legacy counterpart; last,
the CPU a customer page costs each process, legacy and composed, one client over HTTP and in Chromium
(benchmarks.cpu_per_page). The
rounds alternate every measure (benchmarks.composition.alternating), each after the work the previous
left behind is done.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Callable

from tests.support.local_system import System
from tests.support.postgres import PostgresCluster

from . import cpu_per_page
from .composition import STAFF, alternating, chromium_in_turns, chromium_pages, covered_targets, http_pages, log_in, settled
from .harness import Figures


def legacy_tickets(system: System, customers: list[int]) -> list[int]:
    """Tickets of these customers that the monolith raised (each moves to the graph at its first read)."""
    from sqlalchemy import bindparam, text

    from shell_app.db import make_engine

    engine = make_engine(system.env["DATABASE_URL"])
    query = text("SELECT id FROM tickets WHERE customer_id IN :ids ORDER BY id LIMIT 20").bindparams(
        bindparam("ids", expanding=True))
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(query, {"ids": customers})]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--loads", type=int, default=8, help="page loads per page kind in Chromium, per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=15, help="page loads per thread under HTTP load, per round")
    parser.add_argument("--logins", type=int, default=4, help="sign-ins per thread, per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu-loads", type=int, default=300, help="customer pages over HTTP for the CPU accounting")
    parser.add_argument("--legacy-database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the monolith's database: the embedded default, or a PostgreSQL cluster started for the "
                             "run (as a production monolith runs)")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="sysops-bench-front-door-"))
    print(f"Setting up the {args.preset} preset in {root}, the monolith on {args.legacy_database} ...", flush=True)
    cluster = PostgresCluster().start() if args.legacy_database == "postgresql" else None
    database_url = cluster.create_database("front_door") if cluster else None
    try:
        _measure(args, System(root, preset=args.preset, front_door="shell", database_url=database_url),
                 {"postgresql": cluster} if cluster else {})
    finally:
        if cluster:
            cluster.stop()
    return 0


def _measure(args: argparse.Namespace, system: System, others: dict[str, object]) -> None:
    """`others`: processes beside the system's whose CPU counts too (a PostgreSQL cluster's)."""
    system.start()
    try:
        legacy, front = system.start_legacy_shell(), system.shell
        customers = sorted({t[0] for t in covered_targets(system)})[:10]
        tickets = legacy_tickets(system, customers)
        names = ["jon", "smi", "bro", "tay"]  # parts of common surnames: a page of results each
        kinds = {
            "home": ["/"],
            "customer page": [f"/customers/{c}" for c in customers],
            "ticket page": [f"/tickets/{t}" for t in tickets],
            "customer search": [f"/customers?q={q}" for q in names],
        }
        for base in (legacy, front):  # warm every path once (a legacy ticket moves in at its first read)
            for paths in kinds.values():
                chromium_pages(base, paths, "warm-up")
            log_in(base, 1, len(STAFF), "warm-up")
        measures: dict[str, Callable[[], Figures | dict[str, Figures]]] = {
            "login, legacy (HTTP)": lambda: log_in(legacy, args.threads, args.logins, "login, legacy (HTTP)"),
            "login, composition shell (HTTP)": lambda: log_in(front, args.threads, args.logins,
                                                              "login, composition shell (HTTP)")}
        for kind, paths in kinds.items():
            loads = (paths * args.loads)[:args.loads]
            # Both sides' Chromium loads taking turns, load by load (benchmarks.composition.chromium_in_turns).
            measures[f"{kind}, Chromium, sides taking turns"] = (
                lambda p=loads, k=kind: chromium_in_turns({f"{k}, legacy, Chromium": legacy,
                                                           f"{k}, composition shell, Chromium": front}, p))
            for side, base in (("legacy", legacy), ("composition shell", front)):
                measures[f"{kind}, {side}, HTTP"] = (
                    lambda b=base, p=paths, n=f"{kind}, {side}, HTTP": http_pages(b, p, args.threads, args.requests, n))
        results = alternating(measures, args.rounds, between=lambda: settled(system))
        print(f"\n{'measure':<44} {'rate':>11}  {'latency':>14}  {'':>14}")
        for row in results.values():
            print(row.row())
        print()
        pairs = [("login, legacy (HTTP)", "login, composition shell (HTTP)")] + [
            (f"{kind}, legacy, {how}", f"{kind}, composition shell, {how}") for kind in kinds for how in ("Chromium", "HTTP")]
        for base_name, new_name in pairs:
            base, new = results[base_name], results[new_name]
            print(f"  {new_name}: p50 x{new.percentile(50) / base.percentile(50):.2f}, "
                  f"p99 x{new.percentile(99) / base.percentile(99):.2f} of {base_name} (target p50 <= 1.0 in Chromium)")
        print("\nCPU per customer page, ms per load, by process (the browser and the services share the cores):")
        pages = kinds["customer page"]
        for side, base in (("legacy", legacy), ("composition shell", front)):
            settled(system)
            print(cpu_per_page.line(f"{side}, one client over HTTP ({args.cpu_loads} loads)",
                                    cpu_per_page.over_http({**system.processes, **others}, base, pages, args.cpu_loads)))
        for side, base in (("legacy", legacy), ("composition shell", front)):
            settled(system)
            print(cpu_per_page.line(f"{side}, in Chromium ({args.loads * 4} loads)",
                                    cpu_per_page.in_chromium({**system.processes, **others}, base, pages, args.loads * 4)))
    finally:
        system.stop()


if __name__ == "__main__":
    raise SystemExit(main())
