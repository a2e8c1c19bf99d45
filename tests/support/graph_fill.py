"""A graph of N tickets shaped like the migrated ones (ticket properties, four history events, an
allocation), written as the services write: data in query parameters, batches of UNWIND. For tests and
benchmarks of how the graph server keeps and restores its data, where only size and shape matter."""
from __future__ import annotations

import time

import redis
from falkordb.helpers import stringify_param_value

FILL = """
UNWIND $batch AS s
CREATE (t:Ticket) SET t = s.ticket
WITH t, s UNWIND s.events AS e
CREATE (t)-[:HAS_EVENT]->(:Event {key: e.key, seq: e.seq, at: e.at, actor: e.actor, action: e.action,
                                  detail: e.detail})
"""
NOTE = """
MATCH (t:Ticket {id: $id})
SET t.event_count = t.event_count + 1, t.revision = t.revision + 1
CREATE (t)-[:HAS_EVENT]->(:Event {key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: 'callcentre', action: 'note', detail: $detail})
"""


def _ticket(i: int) -> dict:
    day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return {"ticket": {"id": i, "reference": f"L-{i}", "status": ("closed", "assigned", "new")[i % 3],
                       "customer_id": i % 50_000, "product_id": i % 40, "locale_id": i % 5, "channel": "phone",
                       "description": f"Device {i % 40} stops responding after the latest update ({i})",
                       "created_at": f"{day}T09:00:00", "revision": 4, "event_count": 4, "source": "legacy"},
            "events": [{"key": f"{i}:{k}", "seq": k, "at": f"{day}T1{k}:00:00", "actor": "callcentre",
                        "action": ("created", "assigned", "note", "closed")[k - 1],
                        "detail": f"Step {k} of ticket L-{i}: the customer was called back"} for k in range(1, 5)]}


def fill(client: redis.Redis, graph: str, tickets: int, batch: int = 2000, first_id: int = 1) -> float:
    """Write `tickets` tickets; returns the seconds it took."""
    client.execute_command("GRAPH.QUERY", graph, "CREATE INDEX FOR (t:Ticket) ON (t.id)")
    started = time.perf_counter()
    for start in range(first_id, first_id + tickets, batch):
        rows = [_ticket(i) for i in range(start, min(start + batch, first_id + tickets))]
        query(client, graph, FILL, {"batch": rows})
    return time.perf_counter() - started


def notes(client: redis.Redis, graph: str, count: int, tickets: int) -> None:
    """`count` single-ticket writes, as staff adding notes do: the commands a restart replays."""
    for n in range(count):
        query(client, graph, NOTE, {"id": 1 + (n * 7919) % tickets, "at": "2026-11-29T10:00:00",
                                    "detail": f"Called back about the appointment ({n})"})


def query(client: redis.Redis, graph: str, cypher: str, params: dict) -> list:
    """One GRAPH.QUERY with parameters in FalkorDB's CYPHER prefix (as the falkordb client sends them)."""
    prefix = "CYPHER " + " ".join(f"{k}={stringify_param_value(v)}" for k, v in params.items())
    return client.execute_command("GRAPH.QUERY", graph, f"{prefix} {cypher}", "--compact")


def count(client: redis.Redis, graph: str) -> tuple[int, int]:
    rows = client.execute_command("GRAPH.RO_QUERY", graph,
                                  "MATCH (t:Ticket) OPTIONAL MATCH (t)-[:HAS_EVENT]->(e) RETURN count(DISTINCT t), "
                                  "count(e)", "--compact")
    return rows[1][0][0][1], rows[1][0][1][1]
