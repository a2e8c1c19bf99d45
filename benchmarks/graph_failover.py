"""What the fail-over topology costs and buys (ADR 0017), in one run on this machine.

    .venv/bin/python -m benchmarks.graph_failover [--writes 2000] [--kills 3]

1. Baseline: a ticket raise (the store's create query) against the primary acknowledged as soon as its
   own disk has it (SYSOPS_GRAPH_REPLICAS=0): p50 / p99 per raise.
2. The same raises acknowledged after WAIT (the replica has it): p50 / p99 and the ratio.
3. The primary SIGKILLed under a steady stream of raises (each retried with its raise key until
   acknowledged), `--kills` times in a row (the killed server restarted as the supervisor would): how
   long no raise was acknowledged, and the count of acknowledged raises lost or duplicated (must be 0).
The sentinels decide a primary is down after 1 s here (5 s by default in production).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import threading
import time
from pathlib import Path

from fragments.ticketing.adapters.tickets import GraphTickets
from fragments.ticketing.services.ports import TicketingStoreError
from graph_store.backends.falkordb_backend import FalkorBackend
from tests.support.graph_ha import GraphCluster

NOW = dt.datetime(2026, 11, 30, 9, 0)
PASSWORD = "benchmark-password"


def raise_ticket(tickets: GraphTickets, key: str) -> int:
    return tickets.create(customer_id=1, contract_id=1, product_id=3, locale_id=2, description=f"bench {key}",
                          slots=["2026-12-01T08:00:00"], channel="phone", actor="bench", now=NOW, raise_key=key).id


def timed_raises(tickets: GraphTickets, prefix: str, count: int) -> list[float]:
    took = []
    for n in range(count):
        started = time.perf_counter()
        raise_ticket(tickets, f"{prefix}-{n:08d}")
        took.append(time.perf_counter() - started)
    return took


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def kill_under_traffic(cluster: GraphCluster, tickets: GraphTickets, round_: int) -> tuple[float, int, int]:
    acknowledged: dict[str, int] = {}
    last_ack = [time.perf_counter()]
    longest_gap = [0.0]
    stop = threading.Event()

    def traffic() -> None:
        n = 0
        while not stop.is_set():
            key = f"kill{round_}-{n:08d}"
            try:
                acknowledged[key] = raise_ticket(tickets, key)
            except TicketingStoreError:
                stop.wait(0.02)
                continue
            now = time.perf_counter()
            longest_gap[0] = max(longest_gap[0], now - last_ack[0])
            last_ack[0] = now
            n += 1

    worker = threading.Thread(target=traffic)
    worker.start()
    while len(acknowledged) < 200:
        time.sleep(0.01)
    primary = cluster.primary()
    killed = time.perf_counter()
    cluster.kill(primary)
    cluster.wait_promoted(away_from=primary)
    promoted = time.perf_counter()
    cluster.start_server(primary)
    restarted = time.perf_counter()
    print(f"  round {round_ + 1}: promoted after {promoted - killed:.2f} s, killed server answering again "
          f"{restarted - promoted:.2f} s later", flush=True)
    target = len(acknowledged) + 200
    while len(acknowledged) < target:
        time.sleep(0.01)
    stop.set()
    worker.join()
    rows = tickets.db.read("MATCH (t:Ticket) WHERE t.raise_key STARTS WITH $prefix RETURN t.raise_key AS key, "
                           "t.id AS id", {"prefix": f"1/kill{round_}-"})
    stored: dict[str, list[int]] = {}
    for row in rows:
        stored.setdefault(row["key"].split("/", 1)[1], []).append(row["id"])
    lost = sum(1 for key, ticket_id in acknowledged.items() if stored.get(key) != [ticket_id])
    duplicated = sum(1 for ids in stored.values() if len(ids) > 1)
    return longest_gap[0], lost, duplicated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        cluster = GraphCluster(Path(root), PASSWORD, down_after_ms=1000).start()
        try:
            sentinels = [(s.host, s.port) for s in cluster.sentinels.values()]
            local = FalkorBackend(graph="bench", sentinels=sentinels, password=PASSWORD, replicas=0)
            replicated = FalkorBackend(graph="bench", sentinels=sentinels, password=PASSWORD, replicas=1)
            local.ensure_schema()
            timed_raises(GraphTickets(local, None), "warm", 200)
            base = timed_raises(GraphTickets(local, None), "local", args.writes)
            waited = timed_raises(GraphTickets(replicated, None), "wait", args.writes)
            print(f"raise acknowledged on the primary's disk (baseline): p50 {percentile(base, .5) * 1000:.2f} ms, "
                  f"p99 {percentile(base, .99) * 1000:.2f} ms, mean {statistics.mean(base) * 1000:.2f} ms")
            print(f"raise acknowledged after WAIT (replica has it):    p50 {percentile(waited, .5) * 1000:.2f} ms "
                  f"(x{percentile(waited, .5) / percentile(base, .5):.2f}), p99 {percentile(waited, .99) * 1000:.2f} ms "
                  f"(x{percentile(waited, .99) / percentile(base, .99):.2f})")
            for round_ in range(args.kills):
                gap, lost, duplicated = kill_under_traffic(cluster, GraphTickets(replicated, None), round_)
                print(f"primary SIGKILLed under raises ({round_ + 1}/{args.kills}): no raise acknowledged for "
                      f"{gap:.2f} s (x{gap / percentile(base, .5):.0f} of a raise); lost {lost}, duplicated {duplicated}")
            local.close()
            replicated.close()
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
