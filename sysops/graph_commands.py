"""`sysops` sub-commands for the graph: server, schema, migration, backfill, reconciliation."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import redis

from foundation.config import load_settings
from fragments.customers.published.reader_v1 import CustomerReader
from fragments.knowledge.adapters.articles import reconcile_articles
from fragments.knowledge.published import articles_v1
from fragments.knowledge.wiring import on_graph as knowledge_on_graph
from fragments.reports.adapters.catalogue import PublishedTerms
from fragments.reports.services.daily import DailySummaries
from fragments.reports.services.service_levels import Promises
from fragments.ticketing.adapters.cutover import cut_over, roll_back
from fragments.ticketing.adapters.migration import backfill as run_backfill
from graph_store import persistence
from graph_store.backfill import ProgressBar
from graph_store.config import host_port, open_store
from graph_store.sentinel import SentinelServer
from graph_store.server import FalkorServer, run_foreground
from sysops.reporting import operator_store

from . import reporting
from .graph_data import GraphData


def address(text: str) -> tuple[str, int]:
    try:
        return host_port(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def addresses(text: str) -> list[tuple[str, int]]:
    return [address(item) for item in text.split(",") if item.strip()]


def _sentinels(env: dict[str, str]) -> list[tuple[str, int]]:
    """SYSOPS_GRAPH_SENTINELS=host:port,host:port,...: the sentinels a graph server asks at start."""
    return addresses(env.get("SYSOPS_GRAPH_SENTINELS", ""))


def graph_server(args) -> int:
    """The embedded server (unix socket only) by default; with --port, a server reached over TCP with
    SYSOPS_GRAPH_PASSWORD, as the primary or (--replica-of) a replica under the sentinels (ADR 0017)."""
    data_dir = Path(args.data) if args.data else load_settings().data_dir / "graph"
    if not args.port:
        return run_foreground(FalkorServer(data_dir))
    password = os.environ.get("SYSOPS_GRAPH_PASSWORD", "")
    if not password:
        print("a graph server on a TCP port needs SYSOPS_GRAPH_PASSWORD", file=sys.stderr)
        return 2
    server = FalkorServer(data_dir, port=args.port, password=password, host=args.bind, replica_of=args.replica_of)
    return run_foreground(server, _sentinels(dict(os.environ)))


def graph_sentinel(args) -> int:
    """One sentinel watching the graph's primary (three of them, quorum two, in production)."""
    password = os.environ.get("SYSOPS_GRAPH_PASSWORD", "")
    if not password:
        print("the sentinel needs SYSOPS_GRAPH_PASSWORD (the graph servers' password)", file=sys.stderr)
        return 2
    sentinel = SentinelServer(Path(args.data), args.port, args.primary, password, quorum=args.quorum,
                              down_after_ms=args.down_after_ms, host=args.bind)
    sentinel.replace_process()
    return 0  # not reached: the process is the sentinel now


def graph_backup(args) -> int:
    """A consistent snapshot of the running embedded graph server, copied to FILE."""
    server = FalkorServer(load_settings().data_dir / "graph")
    client = server.client(timeout=30)
    try:
        written = persistence.backup(client, server.data_dir, Path(args.file).resolve())
    except (redis.RedisError, TimeoutError, RuntimeError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print(f"graph snapshot written to {written} ({written.stat().st_size / 2**20:.1f} MB)")
    return 0


def graph_restore(args) -> int:
    """Put a snapshot back as the embedded graph's data; the server must be stopped."""
    server = FalkorServer(load_settings().data_dir / "graph")
    client = server.client(timeout=2)
    try:
        running = server.socket_path.exists() and client.ping()
    except redis.RedisError:
        running = False
    finally:
        client.close()
    if running:
        print("the graph server is running: stop it (or `make run`) first", file=sys.stderr)
        return 2
    if not args.yes:
        print("this replaces the graph's data with the snapshot (the current files are kept aside); "
              "add --yes to go on", file=sys.stderr)
        return 2
    try:
        server.restore(Path(args.file).resolve())
    except (OSError, redis.RedisError, TimeoutError, RuntimeError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file}; the next start of the graph server loads it")
    return 0


def graph_init(_args) -> int:
    """Create indexes and constraints, and import expert profiles not yet in the graph."""
    store = GraphData.over(operator_store())
    store.ensure_schema()
    imported = store.import_experts()
    print(f"graph schema ready; {imported} expert profiles imported")
    store.close()
    return 0


def migrate_ticket(args) -> int:
    store = GraphData.over(open_store(load_settings(), "ticketing"))
    ticket = store.get_ticket(args.ticket_id)
    print(json.dumps({"id": ticket["id"], "reference": ticket["reference"], "status": ticket["status"],
                      "events": len(ticket["history"])}))
    store.close()
    return 0


def backfill(args) -> int:
    settings = load_settings()
    store = GraphData.over(operator_store(settings))
    store.ensure_schema()
    remaining = store.bridge.legacy_stats()["remaining"]
    bar = ProgressBar(remaining if args.limit is None else min(args.limit, remaining))
    result = run_backfill(store.tickets.migration, batch_size=args.batch, workers=args.workers, limit=args.limit,
                          on_progress=bar.update)
    bar.close()
    print(f"backfill: {result.seen} tickets ({result.migrated} migrated, {result.already} already in the graph) "
          f"in {result.seconds:.1f} s, {result.per_second:,.0f} tickets/s")
    seen, created = store.articles.backfill()
    print(f"backfill: {seen} knowledge-base articles ({created} migrated, {seen - created} already in the graph)")
    if "customers" in dict(settings.fragments):  # the service-level figures judge each ticket by its contract
        catalogue, customers = store.take_customers()
        print(f"backfill: {customers} customers with their contracts and {catalogue} catalogue records copied to "
              f"the customers service (the rest already held)")
    _summarised(store, REPORT_DAYS)
    code = 0 if args.no_reconcile else _report(store.reconcile())
    store.close()
    return code


# A year's screen and the year before it: what the longest common report reads.
REPORT_DAYS = 2 * 366


def summarise_report_days(store: GraphData, days: int, today: dt.date | None = None) -> int:
    """Compute and keep the reports' per-day summaries of the last `days` days (ADR 0019), so the first
    manager to open a long range after a backfill does not wait for every ticket to be read; returns
    how many tickets they cover. Days already kept and current are only read."""
    today = today or dt.date.today()
    # Plans read from the graph only: a day with a ticket whose customer is not copied yet is summarised
    # but not kept (the reports worker, which may ask the customers service, keeps it).
    promises = Promises(PublishedTerms(CustomerReader(store.backend, None)))
    return DailySummaries(store.reports, promises).graph_period(today - dt.timedelta(days=days - 1), today).raised


def _summarised(store: GraphData, days: int) -> None:
    started = time.perf_counter()
    raised = summarise_report_days(store, days)
    print(f"report summaries: the last {days} days ({raised} tickets) kept in {time.perf_counter() - started:.1f} s")


def reports_summarise(args) -> int:
    store = GraphData.over(operator_store())
    store.ensure_schema()
    _summarised(store, args.days)
    store.close()
    return 0


def kb_sync(_args) -> int:
    """Write back to the legacy KB every published article version it does not show yet (normally done
    at each publish; this catches up after the monolith was down)."""
    settings = load_settings()
    store = open_store(settings, "knowledge")
    try:
        kb = knowledge_on_graph(store, settings)
        done = total = kb.sync_legacy(limit=500)
        while done:
            done = kb.sync_legacy(limit=500)
            total += done
        behind = articles_v1.counts(store.backend)["behind_legacy"]
    finally:
        store.bridge.close()
        store.close()
    print(f"kb-sync: {total} articles written back to the legacy KB; {behind} still behind")
    return 0 if behind == 0 else 1


def kb_reconcile(_args) -> int:
    """Every legacy article against what the knowledge service copied or last wrote back (by checksum)."""
    return reporting.reconciliation("kb-reconcile", reporting.on_operator_store(reconcile_articles), "article")


def reconcile(_args) -> int:
    store = GraphData.over(operator_store())
    code = _report(store.reconcile())
    store.close()
    return code


def _report(result) -> int:
    print(f"reconciliation: {result.checked} legacy tickets checked; {result.matching} match, "
          f"{len(result.mismatched)} mismatched, {len(result.missing)} missing from the graph, "
          f"{result.not_migrated} not migrated yet, {len(result.unmarked)} awaiting their legacy mark; "
          f"{len(result.repaired)} repaired, {len(result.needs_person)} need a person")
    for finding in result.findings:
        print(f"  {finding.ticket_id} {finding.kind}: {finding.action}")
        for line in finding.differences:
            print(f"      {line}")
    return 0 if result.ok else 1


def cutover(args) -> int:
    """The day the new ticketing is switched on: schema, expert profiles, open legacy work moved now."""
    store = GraphData.over(operator_store())
    store.ensure_schema()
    imported = store.import_experts()
    result = cut_over(store.tickets, batch_size=args.batch)
    stats = store.bridge.legacy_stats()
    print(f"cut-over: {imported} expert profiles imported; {result.seen} open legacy tickets moved to the graph "
          f"with their slots ({result.migrated} now, {result.already} already there) in {result.seconds:.1f} s; "
          f"{stats['remaining']} closed or cancelled tickets stay lazy (first read, or `sysops backfill`)")
    code = _report(store.reconcile())
    store.close()
    return code


def rollback(args) -> int:
    """Going back: every graph ticket written back to the legacy schema, then removed from the graph."""
    if not args.yes:
        print("rollback writes every ticket of the graph back into the legacy database and empties the graph of "
              "tickets. Switch the ticketing fragment off first (SYSOPS_FRAGMENTS without ticketing), then run "
              "again with --yes.")
        return 2
    store = GraphData.over(operator_store())
    result = roll_back(store.tickets, batch_size=args.batch)
    print(f"rollback: {result.written_back} tickets written back to the legacy system, {result.removed} removed "
          "from the graph; the legacy screens serve them again")
    store.close()
    return 0


def progress(_args) -> int:
    store = GraphData.over(open_store(load_settings(), "reports"))
    print(json.dumps(store.progress(), indent=2, default=str))
    store.close()
    return 0


def register(sub) -> None:
    server = sub.add_parser("graph-server", help="run the FalkorDB server in the foreground")
    server.add_argument("--data", help="its data folder (default: the data dir's graph/)")
    server.add_argument("--port", type=int, help="listen on TCP (with SYSOPS_GRAPH_PASSWORD), not only a socket")
    server.add_argument("--bind", default="127.0.0.1", help="the address to listen on with --port")
    server.add_argument("--replica-of", type=address, metavar="HOST:PORT",
                        help="start as a replica (SYSOPS_GRAPH_SENTINELS, if set, say who the primary is now)")
    server.set_defaults(func=graph_server)
    watch = sub.add_parser("graph-sentinel", help="run a Redis Sentinel watching the graph's primary")
    watch.add_argument("--data", required=True, help="its folder (it keeps what it learns in sentinel.conf)")
    watch.add_argument("--port", type=int, required=True)
    watch.add_argument("--bind", default="127.0.0.1")
    watch.add_argument("--primary", type=address, required=True, metavar="HOST:PORT", help="the first primary")
    watch.add_argument("--quorum", type=int, default=2)
    watch.add_argument("--down-after-ms", type=int, default=5000)
    watch.set_defaults(func=graph_sentinel)
    save = sub.add_parser("graph-backup", help="write a consistent snapshot of the running graph to FILE")
    save.add_argument("file")
    save.set_defaults(func=graph_backup)
    back = sub.add_parser("graph-restore", help="make a snapshot the graph's data (graph server stopped)")
    back.add_argument("file")
    back.add_argument("--yes", action="store_true", help="really replace the data")
    back.set_defaults(func=graph_restore)
    sub.add_parser("graph-init", help="create graph indexes/constraints and import expert profiles").set_defaults(
        func=graph_init)
    one = sub.add_parser("migrate-ticket", help="read one ticket through the graph store (migrating it)")
    one.add_argument("ticket_id", type=int)
    one.set_defaults(func=migrate_ticket)
    bulk = sub.add_parser("backfill", help="migrate all remaining legacy tickets, then reconcile")
    bulk.add_argument("--batch", type=int, default=400)
    bulk.add_argument("--workers", type=int, default=3, help="batches in flight at once")
    bulk.add_argument("--limit", type=int, default=None, help="stop after this many tickets")
    bulk.add_argument("--no-reconcile", action="store_true")
    bulk.set_defaults(func=backfill)
    sub.add_parser("reconcile", help="compare legacy and graph checksums; exit 1 on any mismatch").set_defaults(
        func=reconcile)
    sub.add_parser("kb-sync", help="write published article versions back to the legacy KB (ADR 0020)").set_defaults(
        func=kb_sync)
    sub.add_parser("kb-reconcile", help="compare every legacy article with the knowledge service's copy by checksum; "
                                        "repair what is safe").set_defaults(func=kb_reconcile)
    keep = sub.add_parser("reports-summarise", help="compute and keep the reports' per-day summaries (ADR 0019)")
    keep.add_argument("--days", type=int, default=REPORT_DAYS, help="the last N days, today included")
    keep.set_defaults(func=reports_summarise)
    sub.add_parser("migration-progress", help="print migration progress as JSON").set_defaults(func=progress)
    # `cutover` and `rollback` (tickets by default): sysops/part_moves.py, for every part.

