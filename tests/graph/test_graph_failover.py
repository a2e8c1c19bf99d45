"""The graph as deployed for fail-over (ADR 0017): a FalkorDB primary and a replica under three Redis
Sentinels. Writes go on while the primary is SIGKILLed mid-traffic: the store follows the promoted
replica, no acknowledged ticket is lost, and a client that retries what was not acknowledged (with
its raise key) creates no duplicate. A write the replica does not confirm is not acknowledged.
Redis Sentinel is a FalkorDB (Redis protocol) deployment: the Bolt backend has no part in it."""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import pytest

from fragments.ticketing.adapters.tickets import GraphTickets
from fragments.ticketing.services.ports import TicketingStoreError
from graph_store.backends.falkordb_backend import FalkorBackend, NotReplicated
from graph_store.config import open_backend
from sysops.graph_data import SCHEMA
from tests.support.graph_ha import GraphCluster

NOW = dt.datetime(2026, 11, 30, 9, 0)
PASSWORD = "failover-test-password"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = GraphCluster(tmp_path_factory.mktemp("graph-ha"), PASSWORD, down_after_ms=1000).start()
    yield running
    running.stop()


@pytest.fixture
def backend(cluster):
    backend = open_backend(cluster.root, {"SYSOPS_GRAPH_URL": cluster.url, "SYSOPS_GRAPH_NAME": "failover"})
    backend.ensure_schema(SCHEMA)
    yield backend
    backend.close()


@dataclass
class RetryingClient:
    """Raises tickets one after the other; what is not acknowledged is sent again with the same key
    until it is, as the raise form (or an API client with an Idempotency-Key) does."""
    tickets: GraphTickets
    acknowledged: dict[str, int] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            key = f"failover-raise-{n:06d}"
            while True:
                try:
                    self.acknowledged[key] = self.tickets.create(
                        customer_id=1, contract_id=1, product_id=3, locale_id=2, description=f"raise {n}",
                        slots=["2026-12-01T08:00:00"], channel="phone", actor="callcentre", now=NOW, raise_key=key).id
                    break
                except TicketingStoreError as exc:  # the engine's refusal, as the port declares it
                    self.refusals.append(type(exc.__cause__).__name__)
                    if self.stop.wait(0.05):
                        return
            n += 1

    def wait_for(self, count: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} of {count} raises acknowledged"
            time.sleep(0.02)


def test_killing_the_primary_mid_traffic_loses_and_duplicates_no_acknowledged_ticket(cluster, backend):
    client = RetryingClient(GraphTickets(backend, None))
    writer = threading.Thread(target=client.run)
    writer.start()
    try:
        client.wait_for(150)
        old_primary, replica = cluster.primary(), cluster.replica()
        cluster.kill(old_primary)
        at_kill = len(client.acknowledged)
        assert cluster.wait_promoted(away_from=old_primary) == replica
        cluster.start_server(old_primary)  # as the supervisor does: it comes back as the new replica
        client.wait_for(at_kill + 150)
    finally:
        client.stop.set()
        writer.join(30)
    assert "GraphUnavailable" in client.refusals  # the kill was met mid-traffic, and retried

    rows = backend.read("MATCH (t:Ticket) RETURN t.raise_key AS key, t.id AS id")
    stored = {row["key"].split("/", 1)[1]: row["id"] for row in rows}
    assert len(rows) == len(stored)  # 0 duplicates: one ticket per raise key
    lost = {key for key, ticket_id in client.acknowledged.items() if stored.get(key) != ticket_id}
    assert lost == set()  # 0 acknowledged tickets lost
    assert set(stored) <= set(client.acknowledged) | {f"failover-raise-{len(client.acknowledged):06d}"}

    cluster.wait_replicated()
    with cluster.client(old_primary) as demoted:
        assert demoted.info("replication")["role"] == "slave"


def test_a_write_no_replica_confirms_is_not_acknowledged_and_its_retry_finds_it(cluster, backend):
    sentinels = [(s.host, s.port) for s in cluster.sentinels.values()]
    impatient = FalkorBackend(graph="failover", sentinels=sentinels, password=PASSWORD, replicas=1,
                              replica_timeout_ms=300)
    tickets = GraphTickets(impatient, None)
    raise_ = dict(customer_id=1, contract_id=1, product_id=3, locale_id=2, description="while the replica is away",
                  slots=["2026-12-02T08:00:00"], channel="phone", actor="callcentre", now=NOW,
                  raise_key="no-replica-raise-0001")
    replica = cluster.replica()
    cluster.kill(replica)
    try:
        with pytest.raises(TicketingStoreError) as refused:
            tickets.create(**raise_)
        assert isinstance(refused.value.__cause__, NotReplicated)
    finally:
        cluster.start_server(replica)
        cluster.wait_replicated()
    first = tickets.create(**raise_).id  # the retry: acknowledged now, and the same ticket
    assert backend.read("MATCH (t:Ticket) WHERE t.raise_key = $key RETURN collect(t.id) AS ids",
                        {"key": "1/no-replica-raise-0001"})[0]["ids"] == [first]
    impatient.close()
