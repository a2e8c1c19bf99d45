"""How long the graph is away after a crash, at the 100x size (graph_store/persistence.py, ADR 0015).

    .venv/bin/python -m benchmarks.graph_restart [--tickets 500000] [--sample 20000]

1. Baseline: an empty graph server's start (`sysops graph-server`, process start to first answer).
2. The real server with its keeper: N tickets (four history events each, written in batches as the
   backfill does) and 2,000 single-ticket notes; SIGKILL; time until it answers again; every ticket
   and event is counted back.
3. The old persistence (append-only file only, never rewritten at this size) on a smaller sample:
   its replay speed in MB/s, and what a restart of the same N tickets would take with it.
Target: under 30 s at 500,000 tickets.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graph_store import persistence
from graph_store.server import FalkorServer
from tests.support import graph_fill

GRAPH = "bench"
# What the server ran with before: every write in the AOF, replayed whole at each start.
OLD_ARGS = ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]


def start_real(data_dir: Path) -> tuple[subprocess.Popen, FalkorServer, float]:
    env = {**os.environ, "SYSOPS_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "sysops.cli", "graph-server"], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = FalkorServer(data_dir / "graph")
    server.wait_ready(process, timeout=120)
    return process, server, time.perf_counter() - started


def start_old(data_dir: Path) -> tuple[subprocess.Popen, FalkorServer, float]:
    server = FalkorServer(data_dir)
    argv = server.argv()
    cut = argv.index("--appendonly")
    argv = argv[:cut] + OLD_ARGS + argv[argv.index("--daemonize"):]
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.wait_ready(process, timeout=3600)
    return process, server, time.perf_counter() - started


def crash(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=20_000, help="tickets for the old persistence's replay rate")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sysops-graph-restart-"))

    process, _server, empty = start_real(root / "empty")
    crash(process)
    print(f"baseline: empty graph server answering after {empty:.2f} s")

    process, server, _ = start_real(root / "full")
    client = server.client(timeout=600)
    filled = graph_fill.fill(client, GRAPH, args.tickets)
    graph_fill.notes(client, GRAPH, 2_000, args.tickets)
    state = persistence.info(client)
    client.close()
    crash(process)
    process, server, restart = start_real(root / "full")
    client = server.client(timeout=600)
    tickets, events = graph_fill.count(client, GRAPH)
    client.close()
    crash(process)
    assert (tickets, events) == (args.tickets, 4 * args.tickets + 2_000), (tickets, events)
    print(f"{args.tickets:,} tickets ({filled:.0f} s to write), killed: serving again after {restart:.2f} s "
          f"(x{restart / empty:.1f} the empty start; target < 30 s: {'met' if restart < 30 else 'NOT met'}); "
          f"snapshot {state['aof_base_size'] / 2**20:.0f} MB + tail {persistence.tail_bytes(state) / 2**20:.1f} MB, "
          f"all {tickets:,} tickets and {events:,} events back")

    process, server, _ = start_old(root / "old")
    client = server.client(timeout=600)
    graph_fill.fill(client, GRAPH, args.sample)
    graph_fill.notes(client, GRAPH, 2_000, args.sample)
    old_size = persistence.info(client)["aof_current_size"]
    client.close()
    crash(process)
    process, server, replay = start_old(root / "old")
    crash(process)
    rate = old_size / 2**20 / replay
    whole_log = old_size * args.tickets / args.sample  # the old AOF only ever grows with the writes
    projected = whole_log / 2**20 / rate
    print(f"old persistence (AOF only): {args.sample:,} tickets, {old_size / 2**20:.0f} MB replayed in {replay:.1f} s "
          f"({rate:.1f} MB/s); the {args.tickets:,}-ticket graph's ~{whole_log / 2**20:.0f} MB log would take "
          f"~{projected:.0f} s (new: x{restart / projected:.3f} of that)")


if __name__ == "__main__":
    main()
