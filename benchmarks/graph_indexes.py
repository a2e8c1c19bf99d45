"""A raise's writes as the graph grows and ages: the create beside many nodes (the query as it is, and
as it was, which SET after creating: the new ticket's properties, the counter, the report day), then
as raises and their changes pile up (FalkorDB keeps an index record for every write, the old ones too,
and an edge costs in proportion to the edges of its type: ADR 0029).

    .venv/bin/python -m benchmarks.graph_indexes [--nodes 200000] [--raises 5000] [--block 500]

1. Size: one graph holding `--nodes` tickets; 300 raises as the ticketing store sends them, and 300
   through the query as it was, alternating; so too 300 adds of two messages as the notifications store
   sends them and as it did (`MERGE` then `ON CREATE SET`); the same on an empty graph. Prints each
   query's p50 inside the server and the ratio now / before at each size. Target: now at most 0.5x
   before beside the nodes.
2. Age: one graph, 5,000 raises block by block, each the store's create then two changes as the
   dispatch and the confirmation make them; after each block the counter and today's report day are
   found (one query) 200 times. Prints that lookup's p50 (inside the server) and the create's p50 (as
   the caller sees it) per block, and the last block against the first (same run). No target: what it
   shows is left as found (ADR 0029).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fragments.notifications.adapters.messages import adding, created_props
from fragments.notifications.domain.messages import Category, Message, Recipient
from fragments.ticketing.adapters.tickets import GraphTickets, raising
from fragments.ticketing.published.tickets_v1 import day_number, touch_report_day
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from sysops.graph_data import SCHEMA

CUSTOMERS = 40
# The raise's create as it was until 2026-12-04: the ticket created bare, its properties SET after.
CREATE_BEFORE = f"""
MERGE (r:RaiseRequest {{key: $raise_key}})
ON CREATE SET r.fresh = true
ON MATCH SET r.fresh = false, r.repeats = coalesce(r.repeats, 0) + 1
WITH r WHERE r.fresh
MERGE (counter:Counter {{name: 'ticket'}})
ON CREATE SET counter.value = $base
SET counter.value = counter.value + 1
WITH r, counter.value AS id
CREATE (t:Ticket {{id: id}})
SET t += $props, t.reference = 'N-' + toString(id), t.source = 'new', t.revision = 1, t.event_count = 1
MERGE (c:Customer {{id: $customer_id}})
MERGE (k:Contract {{id: $contract_id}})
MERGE (p:Product {{id: $product_id}})
MERGE (l:Locale {{id: $locale_id}})
CREATE (t)-[:RAISED_FOR]->(c), (t)-[:AGAINST]->(k), (t)-[:ABOUT]->(p), (t)-[:LOCATED_IN]->(l), (r)-[:RAISED]->(t)
CREATE (t)-[:HAS_EVENT]->(e:Event {{key: toString(id) + ':1', seq: 1, at: $at, actor: $actor, action: 'created',
                                    detail: $detail}})
{touch_report_day("t")}
RETURN id
"""
# Two messages' add as it was until 2026-12-05: each message MERGEd bare and given its properties after.
ADD_BEFORE = """
UNWIND $items AS item
MERGE (m:Message {key: item.key})
ON CREATE SET m += item.props, m.token = item.token
RETURN m.token = item.token AS created, properties(m) AS m
"""
HOT = "MATCH (c:Counter {name: 'ticket'}), (d:ReportDay {day: $day}) RETURN c.value, d.version"


def raise_params(n: int) -> tuple[str, dict[str, Any]]:
    """The n-th raise's query and parameters, as the ticketing store sends them."""
    customer = n % CUSTOMERS + 1
    return raising(customer_id=customer, contract_id=customer, product_id=n % 7 + 1, locale_id=1,
                   description="Benchmark: it stopped working", slots=["2026-12-07T08:00:00"], channel="phone",
                   actor="bench", now=dt.datetime.now().replace(microsecond=0), raise_key=f"bench-{n}-{time.time_ns()}")


def message_items(n: int) -> list[dict[str, Any]]:
    """Two new messages, as the notifications store adds them (the token only for the add as it was)."""
    at = dt.datetime.now()
    keys = [f"bench:{n}:{i}:{uuid.uuid4().hex}" for i in range(2)]
    return [{"key": key, "token": uuid.uuid4().hex, "props": created_props(Message(
        key=key, recipient=Recipient("customer", n % CUSTOMERS + 1), category=Category.CONFIRMATION,
        subject="Your ticket", body="We received it.", requested_by="ticketing", created_at=at, next_attempt_at=at,
        id=uuid.uuid4().hex[:16]))} for key in keys]


def size(server: FalkorServer, nodes: int) -> None:
    print(f"1. The create beside {nodes} tickets, inside the server (p50 of 300 each, alternating):", flush=True)
    for name, count in (("empty", 0), ("full", nodes)):
        backend = FalkorBackend(graph=f"size-{name}", unix_socket_path=str(server.socket_path))
        try:
            backend.ensure_schema(SCHEMA)
            if count:
                backend.write("UNWIND range(1, $n) AS i CREATE (:Ticket {id: i, status: 'closed', customer_id: i % 997, "
                              "product_id: i % 41, created_day: 20250101 + i % 300, source: 'legacy'})", {"n": count})
            now, before, added, added_before = [], [], [], []
            for n in range(300):
                now.append(backend.timed(*raise_params(n)))
                before.append(backend.timed(CREATE_BEFORE, raise_params(n)[1]))
                items = message_items(n)
                added.append(backend.timed(adding(tuple(sorted(items[0]["props"]))), {"items": items}))
                added_before.append(backend.timed(ADD_BEFORE, {"items": message_items(n)}))
            for what, new, old in (("raise's create", now, before), ("two messages' add", added, added_before)):
                p_now, p_before = statistics.median(new), statistics.median(old)
                print(f"   {count:>7} tickets, {what}: now {p_now:.3f} ms, before {p_before:.3f} ms: "
                      f"x{p_now / p_before:.2f}" + (" (target <= 0.5)" if count else ""), flush=True)
        finally:
            backend.clear()
            backend.close()


def raise_block(tickets: GraphTickets, start: int, count: int) -> list[float]:
    """`count` raises as the service makes them; the ms of each one's create, seen by the caller."""
    creates = []
    for n in range(start, start + count):
        now = dt.datetime.now().replace(microsecond=0)
        customer = n % CUSTOMERS + 1
        began = time.perf_counter()
        ticket = tickets.create(customer_id=customer, contract_id=customer, product_id=n % 7 + 1, locale_id=1,
                                description="Benchmark: it stopped working", slots=["2026-12-07T08:00:00"],
                                channel="phone", actor="bench", now=now)
        creates.append((time.perf_counter() - began) * 1000)
        tickets.update(ticket.id, changes={"status": "assigned"}, actor="system:dispatch", action="assigned",
                       detail="offered and accepted", now=now)
        tickets.update(ticket.id, changes={"confirmed_at": now.isoformat()}, actor="system:notifications",
                       action="confirmed", detail="received", now=now)
    return creates


def age(server: FalkorServer, raises: int, block: int) -> None:
    print(f"\n2. {raises} raises with their changes (the counter's and report day's lookup, p50 of 200 per block, "
          f"inside the server; the create's p50 per block as the caller sees it):", flush=True)
    backend = FalkorBackend(graph="age", unix_socket_path=str(server.socket_path))
    try:
        backend.ensure_schema(SCHEMA)
        store = GraphTickets(backend, None)  # type: ignore[arg-type]
        hot: list[float] = []
        creates: list[float] = []
        day = day_number(dt.datetime.now().isoformat())
        print(f"   {'raises':>7} {'lookup':>10} {'create':>9}", flush=True)
        for start in range(0, raises, block):
            creates.append(statistics.median(raise_block(store, start, block)))
            hot.append(statistics.median(backend.timed(HOT, {"day": day}, read=True) for _ in range(200)))
            print(f"   {start + block:>7} {hot[-1]:>7.3f} ms {creates[-1]:>6.2f} ms", flush=True)
        print(f"   lookup x{hot[-1] / hot[0]:.2f} of the first block; create x{creates[-1] / creates[0]:.2f}")
    finally:
        backend.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200000)
    parser.add_argument("--raises", type=int, default=5000)
    parser.add_argument("--block", type=int, default=500)
    args = parser.parse_args(argv)
    server = FalkorServer(Path(tempfile.mkdtemp(prefix="sysops-bench-indexes-")) / "graph")
    server.data_dir.mkdir(parents=True)
    process = server.spawn(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.wait_ready(process)
    try:
        size(server, args.nodes)
        age(server, args.raises, args.block)
    finally:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
