"""Migration failure modes with real processes: a migrator killed at each step, backfill beside
lazy reads, resumption, and reconciliation that notices a mismatch."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading

import pytest
import requests

from foundation.tokens import Principal
from fragments.ticketing.adapters.migration import backfill
from graph_store.backends.falkordb_backend import FalkorBackend
from sysops.graph_data import SCHEMA, GraphData

from ..support.keys import env as keys_env
from ..support.keys import mint
from .conftest import SECRET, bridge_client


def staff_token() -> str:
    return mint(Principal("user", "callcentre", "call_centre"), "bridge")

CRASH_POINTS = ["after-freeze", "before-graph-write", "after-graph-write", "after-legacy-mark"]


@pytest.fixture
def falkor_store(falkor_server, live_bridge):
    backend = FalkorBackend(graph=f"faults{os.getpid()}{id(object())}", unix_socket_path=str(falkor_server.socket_path))
    backend.ensure_schema(SCHEMA)
    bridge = bridge_client(live_bridge)
    store = GraphData(backend, bridge)
    store.socket_path = falkor_server.socket_path
    yield store
    backend.clear()
    backend.close()
    bridge.close()


def cli(store: GraphData, base_url: str, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """The real `sysops` CLI in its own process, pointed at this test's graph and monolith."""
    env = {**os.environ, "SYSOPS_GRAPH_URL": f"unix://{store.socket_path}",
           "SYSOPS_GRAPH_NAME": store.backend.graph_name, "SYSOPS_BRIDGE_URL": base_url,
           "SYSOPS_SESSION_KEY": SECRET, **keys_env()}
    env.pop("SYSOPS_CRASH_AT", None)
    if crash_at:
        env["SYSOPS_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def nodes(store: GraphData, ticket_id: int) -> tuple[int, int]:
    row = store.backend.read("MATCH (t:Ticket {id: $id}) OPTIONAL MATCH (t)-[:HAS_EVENT]->(e) "
                             "RETURN count(DISTINCT t) AS tickets, count(e) AS events", {"id": ticket_id})[0]
    return row["tickets"], row["events"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_migrator_killed_at_any_step_converges_on_the_next_read(falkor_store, live_bridge, point):
    ticket_id = 236 + CRASH_POINTS.index(point)
    legacy_events = len(falkor_store.bridge.get_legacy_ticket(ticket_id)["history"])
    crashed = cli(falkor_store, live_bridge, "migrate-ticket", str(ticket_id), crash_at=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    tickets, events = nodes(falkor_store, ticket_id)
    # Never a partial ticket: either nothing, or the whole subgraph.
    assert (tickets, events) in ((0, 0), (1, legacy_events))
    assert (tickets == 1) == (point not in ("after-freeze", "before-graph-write"))
    legacy = falkor_store.bridge.get_legacy_ticket(ticket_id)
    assert (legacy["migrated_at"] is not None) == (point == "after-legacy-mark")
    # From the freeze on, the legacy system refuses writes: nothing it accepts can miss the copy.
    assert legacy["frozen_at"] is not None
    refused = requests.post(f"{live_bridge}/bridge/v1/legacy-tickets/{ticket_id}/notes", json={"note": "late"},
                            headers={"Authorization": f"Bearer {staff_token()}"}, timeout=30)
    assert refused.status_code == 409 and refused.json()["type"].endswith("ticket-migrated")

    ticket = falkor_store.get_ticket(ticket_id)  # the next read converges
    assert nodes(falkor_store, ticket_id) == (1, legacy_events)
    assert ticket["source_checksum"] == falkor_store.bridge.get_legacy_ticket(ticket_id)["checksum"]
    if point == "after-graph-write":  # frozen and copied, only the bookkeeping mark is missing
        assert falkor_store.bridge.get_legacy_ticket(ticket_id)["migrated_at"] is None
        assert ticket_id in falkor_store.reconcile().repaired  # reconciliation (and the backfill) set it
    assert falkor_store.bridge.get_legacy_ticket(ticket_id)["migrated_at"] is not None


def test_two_backfills_beside_lazy_reads_migrate_every_ticket_exactly_once(falkor_server, fresh_bridge):
    backend = FalkorBackend(graph="backfill-race", unix_socket_path=str(falkor_server.socket_path))
    backend.clear()
    backend.ensure_schema(SCHEMA)
    stores = [GraphData(backend, bridge_client(fresh_bridge, "backfill")) for _ in range(3)]
    total = stores[0].bridge.legacy_stats()["total"]
    errors: list[Exception] = []

    def guarded(work):
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - collected and asserted empty below
            errors.append(exc)

    jobs = [lambda s=s: backfill(s.tickets.migration, batch_size=25, workers=3) for s in stores[:2]]
    jobs.append(lambda: [stores[2].get_ticket(i) for i in range(total, 0, -7)])
    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = backend.read("MATCH (t:Ticket) RETURN count(t) AS n, count(DISTINCT t.id) AS ids")[0]
    assert counts == {"n": total, "ids": total}
    result = stores[0].reconcile()
    assert result.ok and result.matching == total and result.unmarked == []
    progress = stores[0].progress()
    assert progress["remaining"] == 0 and progress["lazy"] + progress["backfill"] == total
    assert progress["last_reconciliation"]["ok"] is True
    backend.clear()


def test_backfill_resumes_after_interruption_and_reconciliation_catches_tampering(falkor_server, fresh_bridge):
    backend = FalkorBackend(graph="backfill-resume", unix_socket_path=str(falkor_server.socket_path))
    backend.clear()
    backend.ensure_schema(SCHEMA)
    store = GraphData(backend, bridge_client(fresh_bridge, "backfill"))
    store.socket_path = falkor_server.socket_path
    total = store.bridge.legacy_stats()["total"]
    first = backfill(store.tickets.migration, batch_size=20, limit=60)
    assert first.seen == 60 and store.progress()["remaining"] == total - 60
    partial = store.reconcile()
    assert partial.ok and partial.matching == 60 and partial.not_migrated == total - 60
    rest = backfill(store.tickets.migration, batch_size=20)
    assert rest.seen == total - 60 and store.reconcile().ok
    # A copy nobody has edited since it was taken is safely taken again.
    backend.write("MATCH (t:Ticket {id: 17}) SET t.source_checksum = 'tampered'")
    tampered = store.reconcile()
    assert tampered.mismatched == [17] and tampered.repaired == [17] and tampered.ok
    assert store.reconcile().findings == []
    # A copy edited in the new system since: a person decides, with the legacy events the copy lacks.
    backend.write("MATCH (t:Ticket {id: 18}) SET t.source_checksum = 'tampered', t.revision = 2")
    backend.write("MATCH (t:Ticket {id: 18})-[:HAS_EVENT]->(e:Event {key: '18:2'}) DETACH DELETE e")
    edited = store.reconcile()
    assert not edited.ok and [f.ticket_id for f in edited.needs_person] == [18]
    assert any("legacy event not in the copy" in d for d in edited.needs_person[0].differences)
    last = store.progress()["last_reconciliation"]
    assert last["needs_person"] == 1 and last["findings"][0]["ticket_id"] == 18
    report = cli(store, fresh_bridge, "reconcile")
    assert report.returncode == 1 and "1 mismatched" in report.stdout and "18 mismatched: needs a person" in report.stdout
    backend.clear()


def test_backfill_command_migrates_everything_and_reports_reconciliation(falkor_server, fresh_bridge):
    backend = FalkorBackend(graph="backfill-cli", unix_socket_path=str(falkor_server.socket_path))
    backend.clear()
    store = GraphData(backend, bridge_client(fresh_bridge, "backfill"))
    store.socket_path = falkor_server.socket_path
    total = store.bridge.legacy_stats()["total"]
    done = cli(store, fresh_bridge, "backfill", "--batch", "50")
    assert done.returncode == 0, done.stderr
    assert f"backfill: {total} tickets ({total} migrated" in done.stdout
    assert f"{total} match, 0 mismatched, 0 missing" in done.stdout
    assert "backfill [" in done.stderr  # the progress bar
    # ... and the reports' day summaries of the last two years are kept: the first long report is fast
    assert "report summaries: the last 732 days" in done.stdout
    today = dt.date.today()
    kept = store.reports.day_summaries(today - dt.timedelta(days=731), today)
    assert kept and all(entry["summary"] for entry in kept.values())
    alone = cli(store, fresh_bridge, "reports-summarise", "--days", "10")
    assert alone.returncode == 0 and "report summaries: the last 10 days" in alone.stdout, alone.stderr
    again = cli(store, fresh_bridge, "backfill")
    assert again.returncode == 0 and "backfill: 0 tickets" in again.stdout
    backend.clear()
    backend.close()


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_backfill_killed_at_any_step_converges_when_run_again(falkor_server, fresh_bridge, point):
    backend = FalkorBackend(graph=f"backfill-crash-{point}", unix_socket_path=str(falkor_server.socket_path))
    backend.clear()
    backend.ensure_schema(SCHEMA)
    store = GraphData(backend, bridge_client(fresh_bridge, "backfill"))
    store.socket_path = falkor_server.socket_path
    crashed = cli(store, fresh_bridge, "backfill", "--batch", "40", "--workers", "1", crash_at=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    # Whatever is in the graph is whole: every ticket node has all its events.
    partial = backend.read("MATCH (t:Ticket) OPTIONAL MATCH (t)-[:HAS_EVENT]->(e) "
                           "WITH t, count(e) AS events WHERE events <> t.event_count RETURN count(t) AS n")
    assert partial[0]["n"] == 0
    finished = cli(store, fresh_bridge, "backfill")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    total = store.bridge.legacy_stats()["total"]
    assert backend.read("MATCH (t:Ticket) RETURN count(t) AS n")[0]["n"] == total
    result = store.reconcile()
    assert result.ok and result.matching == total
    assert store.progress()["unmarked"] == 0 and store.reconcile().unmarked == []
    backend.clear()
    backend.close()
