"""The graph server restarts in bounded time at any size and keeps every acknowledged write
(graph_store/persistence.py): the real `sysops graph-server` (server + keeper), killed with SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph_store import persistence
from graph_store.server import FalkorServer

from ..support import graph_fill

GRAPH = "restart"


class GraphProcess:
    """`sysops graph-server` for one data dir, started and killed as the supervisor would."""

    def __init__(self, data_dir: Path):
        self.env = {**os.environ, "SYSOPS_DATA_DIR": str(data_dir)}
        self.server = FalkorServer(data_dir / "graph")
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start it; the seconds until it answers queries."""
        started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "sysops.cli", "graph-server"], env=self.env,
                                        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.server.wait_ready(self.process, timeout=60)
        return time.perf_counter() - started

    def kill(self, sig: int = signal.SIGKILL) -> None:
        os.killpg(self.process.pid, sig)
        self.process.wait(30)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=self.env, capture_output=True,
                              text=True, timeout=300)


@pytest.fixture
def graph(tmp_path):
    process = GraphProcess(tmp_path)
    process.start()
    yield process
    if process.process.poll() is None:
        process.kill(signal.SIGTERM)


def _wait_compacted(client, timeout: float = 120.0) -> dict:
    """Until the keeper has rewritten the log so that what a restart replays is within the bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = persistence.info(client)
        if state["aof_base_size"] > 0 and persistence.tail_bytes(state) <= persistence.MAX_TAIL_BYTES \
                and not state["aof_rewrite_in_progress"]:
            return state
        time.sleep(0.2)
    raise AssertionError(f"the keeper did not compact the log: {persistence.info(client)}")


@pytest.mark.slow
def test_a_killed_100000_ticket_graph_serves_again_with_every_write(graph, capsys):
    client = graph.server.client(timeout=120)
    graph_fill.fill(client, GRAPH, 100_000)
    graph_fill.notes(client, GRAPH, 2_000, 100_000)
    state = _wait_compacted(client)
    graph_fill.notes(client, GRAPH, 500, 100_000)  # acknowledged after the last rewrite: only in the tail
    client.close()
    graph.kill()  # as a crash: no chance to save anything on the way out

    seconds = graph.start()
    client = graph.server.client(timeout=120)
    assert graph_fill.count(client, GRAPH) == (100_000, 400_000 + 2_500)
    client.close()
    with capsys.disabled():
        print(f"\n100,000-ticket graph killed and serving again in {seconds:.1f} s "
              f"(snapshot {state['aof_base_size'] / 2**20:.0f} MB, replayed tail under "
              f"{persistence.MAX_TAIL_BYTES / 2**20:.0f} MB)")


def test_backup_and_restore_bring_back_the_snapshot_and_keep_the_current_files_aside(graph, tmp_path):
    client = graph.server.client()
    graph_fill.fill(client, GRAPH, 1_000)
    client.close()
    snapshot = tmp_path / "backups" / "graph.rdb"
    made = graph.run("graph-backup", str(snapshot))
    assert made.returncode == 0 and snapshot.stat().st_size > 0, made.stderr
    client = graph.server.client()
    graph_fill.notes(client, GRAPH, 10, 1_000)  # written after the backup
    client.close()

    refused = graph.run("graph-restore", str(snapshot), "--yes")
    assert refused.returncode == 2 and "running" in refused.stderr  # never under a live server
    graph.kill(signal.SIGTERM)
    assert graph.run("graph-restore", str(snapshot)).returncode == 2  # asks for --yes
    restored = graph.run("graph-restore", str(snapshot), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert list((tmp_path / "graph").glob("appendonlydir.before-restore-*"))  # the replaced data is kept

    graph.start()
    client = graph.server.client()
    assert graph_fill.count(client, GRAPH) == (1_000, 4_000)  # as at the backup, not after
    graph_fill.notes(client, GRAPH, 3, 1_000)  # and it takes writes again, durably
    client.close()
    graph.kill()
    graph.start()
    client = graph.server.client()
    assert graph_fill.count(client, GRAPH) == (1_000, 4_003)
    client.close()
