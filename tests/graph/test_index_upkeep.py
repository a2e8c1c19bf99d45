"""A node written often never leaves its lookups slower for good (graph_store/index_upkeep.py): FalkorDB
keeps an index record for every write, the upkeep rebuilds a label's index once its stale records
outnumber its live ones, beside the old one, keeping every node, lookup and unique constraint."""
from __future__ import annotations

import subprocess
import threading
import time

import pytest
import redis
from falkordb.graph import Graph

from graph_store import index_upkeep
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer, upkeep
from sysops.graph_data import SCHEMA
from sysops.procutil import free_port

COUNT_RAISE = "MERGE (c:Counter {name: 'ticket'}) ON CREATE SET c.value = 0 SET c.value = c.value + 1"


def _start(server: FalkorServer) -> subprocess.Popen:
    server.data_dir.mkdir(parents=True, exist_ok=True)
    process = server.spawn(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server.wait_ready(process)
    return process


@pytest.fixture
def primary(tmp_path):
    """A server of its own (the upkeep looks at every graph of its server), with the whole schema."""
    server = FalkorServer(tmp_path / "primary", port=free_port())
    process = _start(server)
    backend = FalkorBackend(graph="upkeep", unix_socket_path=str(server.socket_path))
    backend.ensure_schema(SCHEMA)
    backend.close()
    yield server
    process.terminate()
    process.wait(10)


def _index(client: redis.Redis, label: str) -> index_upkeep.LabelIndex:
    return next(i for i in index_upkeep.label_indexes(Graph(client, "upkeep")) if i.label == label)


def test_a_node_written_often_is_found_through_a_rebuilt_index_with_nothing_lost(primary):
    client = primary.client()
    graph = Graph(client, "upkeep")
    for _ in range(300):
        graph.query(COUNT_RAISE)
    counter = _index(client, "Counter")
    assert counter.documents == 1 and counter.stale >= 299, counter

    rebuilt = index_upkeep.keep_lean(client, floor=100)

    assert ("upkeep", "Counter", counter.stale) in rebuilt
    assert all(label != "Ticket" for _, label, _ in rebuilt)  # nothing stale there: left alone
    after = _index(client, "Counter")
    assert after.stale == 0 and after.records == 1 and index_upkeep.MARKER not in after.fields
    assert graph.ro_query("MATCH (c:Counter {name: 'ticket'}) RETURN c.value").result_set == [[300]]
    with pytest.raises(redis.ResponseError, match="unique constraint"):
        graph.query("CREATE (:Counter {name: 'ticket'})")
    assert index_upkeep.keep_lean(client, floor=100) == []  # lean now: no second rebuild


def test_writes_while_an_index_is_rebuilt_are_all_in_the_new_one(primary):
    client = primary.client()
    graph = Graph(client, "upkeep")
    graph.query("UNWIND range(1, 20000) AS i CREATE (:Ticket {id: i, status: 'new'})")
    for n in range(200):
        graph.query("MATCH (t:Ticket {id: 1}) SET t.revision = $n", {"n": n})
    written, done = [], threading.Event()

    def write_meanwhile():
        other = Graph(primary.client(), "upkeep")
        n = 100000
        while not done.is_set():
            other.query("MERGE (t:Ticket {id: $id}) SET t.status = 'new'", {"id": n})
            written.append(n)
            n += 1

    writer = threading.Thread(target=write_meanwhile)
    writer.start()
    try:
        index_upkeep.rebuild(graph, _index(client, "Ticket"))
    finally:
        done.set()
        writer.join()

    assert written
    found = graph.ro_query("UNWIND $ids AS id MATCH (t:Ticket {id: id}) RETURN count(t)", {"ids": written})
    assert found.result_set == [[len(written)]]
    assert "Node By Index Scan" in str(graph.explain("MATCH (t:Ticket {id: 100000}) RETURN t"))
    assert _index(client, "Ticket").documents == 20000 + len(written)
    with pytest.raises(redis.ResponseError, match="unique constraint"):
        graph.query("CREATE (:Ticket {id: 5})")


def test_a_marker_left_by_an_interrupted_rebuild_is_dropped(primary):
    client = primary.client()
    graph = Graph(client, "upkeep")
    graph.query(f"CREATE INDEX FOR (n:Marker) ON (n.{index_upkeep.MARKER})")  # a crash between its two steps

    assert ("upkeep", "Marker", 0) in index_upkeep.keep_lean(client)
    assert index_upkeep.MARKER not in _index(client, "Marker").fields


def test_a_replica_is_left_alone(primary, tmp_path):
    replica = FalkorServer(tmp_path / "replica", replica_of=("127.0.0.1", primary.port))
    process = _start(replica)
    try:
        graph = Graph(primary.client(), "upkeep")
        for _ in range(300):
            graph.query(COUNT_RAISE)
        client = replica.client()
        deadline = time.monotonic() + 30
        while not _replicated(client) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _index(client, "Counter").stale >= 299

        assert index_upkeep.keep_lean(client, floor=100) == []
    finally:
        process.terminate()
        process.wait(10)


def _replicated(client: redis.Redis) -> bool:
    try:
        rows = Graph(client, "upkeep").ro_query("MATCH (c:Counter) RETURN c.value").result_set
    except redis.ResponseError:
        return False
    return rows == [[300]]


def test_the_keeper_beside_the_server_keeps_the_indexes_lean(primary):
    client = primary.client()
    graph = Graph(client, "upkeep")
    stop = threading.Event()
    keeper = threading.Thread(target=upkeep, args=(primary.client(), stop.is_set),
                              kwargs={"interval": 0.05, "index_floor": 100})
    keeper.start()
    try:
        for _ in range(300):
            graph.query(COUNT_RAISE)
        deadline = time.monotonic() + 30
        while _index(client, "Counter").stale > 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _index(client, "Counter").stale <= 100
    finally:
        stop.set()
        keeper.join(10)
