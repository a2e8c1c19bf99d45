"""FalkorDB over its own protocol (RESP), through the `falkordb` client.

Reached on a unix socket, over TCP, or through Redis Sentinel (a primary with replicas: the client
asks the sentinels where the primary is, on every new connection, so it follows a promotion).

A write is acknowledged only when it is durable where the deployment says (docs/adr/0017): on the
primary's disk always (the server fsyncs its append-only file before it answers), and with
`replicas` > 0 also received by that many replicas (WAIT on the connection that wrote; each replica
fsyncs it in turn). A write
is sent exactly once: if the connection breaks before the answer, or the replicas do not confirm
in time, the caller gets GraphUnavailable and must treat the outcome as unknown (the store's
creates carry idempotency keys so that a retry finds what the first attempt wrote).
"""
from __future__ import annotations

import time
from typing import Any

import redis
from falkordb.graph import Graph
from falkordb.query_result import QueryResult
from falkordb.sentinel import Sentinel_Master
from redis.sentinel import Sentinel

from ..schema import FullText, Schema
from . import GraphUnavailable, falkordb_fulltext, falkordb_fulltext_schema, falkordb_vocabulary

SERVICE = "sysops-graph"  # the name the sentinels monitor the graph's primary under


class NotReplicated(GraphUnavailable):
    """The primary wrote it, but not enough replicas confirmed it in time: not acknowledged."""


class FalkorBackend:
    max_write_items = None  # a migration batch of any size is one query
    name = "falkordb"

    def __init__(self, *, graph: str = "sysops", unix_socket_path: str | None = None, host: str | None = None,
                 port: int = 6379, password: str | None = None, timeout: float = 10.0, max_connections: int = 32,
                 sentinels: list[tuple[str, int]] | None = None, service: str = SERVICE, replicas: int = 0,
                 replica_timeout_ms: int = 5000):
        options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": 5, "password": password,
                                   "max_connections": max_connections}
        if sentinels:
            sentinel = Sentinel(sentinels, sentinel_kwargs={"password": password, "socket_timeout": 2,
                                                            "socket_connect_timeout": 2},
                                decode_responses=True, **options)
            self._client = Sentinel_Master(sentinel, service, False)  # never resends a write (falkordb.sentinel)
        else:
            if unix_socket_path:
                options["unix_socket_path"] = unix_socket_path
            else:
                options.update(host=host or "localhost", port=port)
            # A plain client, not `FalkorDB(...)`: that constructor asks the server (INFO) whether it is a
            # sentinel or a cluster, so a process could not even be built while the graph is slow or
            # down (a worker that fails to boot stops its gunicorn). Where the server is, is configured
            # here; the first query connects, and health says "degraded" until it answers.
            self._client = redis.Redis(decode_responses=True, **options)
        self._graph_name = graph
        self._graph = Graph(self._client, graph)
        self.replicas = replicas
        self.replica_timeout_ms = replica_timeout_ms

    @property
    def graph_name(self) -> str:
        return self._graph_name

    def keyspace(self) -> redis.Redis:
        """The server's plain key space beside the graph (the same server, connections and primary):
        for what is kept by key with a time to live rather than as nodes, the identity service's sessions
        (ADR 0032). Its errors are redis-py's own."""
        return self._client

    @staticmethod
    def _rows(result) -> list[dict[str, Any]]:
        if not result.header:
            return []
        names = [column[1] for column in result.header]
        return [dict(zip(names, _plain(row))) for row in result.result_set]

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            return self._rows(self._graph.ro_query(query, params or {}))
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise GraphUnavailable(str(exc)) from exc
        except redis.ResponseError as exc:
            if "empty key" in str(exc):  # the graph has no data yet: nothing matches
                return []
            raise

    def timed(self, query: str, params: dict[str, Any] | None = None, *, read: bool = False) -> float:
        """Run `query` once (through the engine's own client, not resent, no replica wait) and answer the
        time FalkorDB says it took inside the server, in ms: for measuring a query apart from the round
        trip and the fsync (benchmarks)."""
        graph = self._graph
        return (graph.ro_query if read else graph.query)(query, params or {}).run_time_ms

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise GraphUnavailable(str(exc)) from exc

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        # One query is one atomic unit in FalkorDB (writes are serialised per graph).
        command = ["GRAPH.QUERY", self._graph_name, self._graph._build_params_header(params or {}) + query,
                   "--compact"]
        return self._rows(QueryResult(self._graph, self._send_once(command)))

    def _send_once(self, command: list[Any]) -> Any:
        """`command` on one pooled connection, never resent; then, with replicas, WAIT on the same
        connection (it counts the writes this connection made)."""
        pool = self._client.connection_pool
        try:
            connection = pool.get_connection()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise GraphUnavailable(str(exc)) from exc
        try:
            connection.send_command(*command)
            response = self._client.parse_response(connection, command[0])
            if self.replicas:
                connection.send_command("WAIT", self.replicas, self.replica_timeout_ms)
                remote = self._client.parse_response(connection, "WAIT")
                if remote < self.replicas:
                    raise NotReplicated(f"written on the primary, received by {remote} of {self.replicas} "
                                        f"replicas after {self.replica_timeout_ms} ms: not acknowledged")
            return response
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            connection.disconnect()  # the outcome is unknown: never reuse a connection mid-answer
            raise GraphUnavailable(str(exc)) from exc
        finally:
            pool.release(connection)

    def ensure_schema(self, schema: Schema) -> None:
        # One row per label with all its indexed properties; no rows while the graph does not exist yet
        # (read() answers an empty graph with nothing; the first index creates it).
        existing = {(row["label"], (key,)) for row in self.read(
            "CALL db.indexes() YIELD label, properties RETURN label, properties") for key in row["properties"]}
        for label, key in schema.unique_keys + schema.range_indexes:
            if (label, (key,)) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label}) ON (n.{key})")
        for label, key in schema.unique_keys:
            try:
                self._send_once(["GRAPH.CONSTRAINT", "CREATE", self._graph_name, "UNIQUE", "NODE", label,
                                 "PROPERTIES", "1", key])
            except redis.ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise
        self._await_constraints()
        falkordb_fulltext_schema(self, schema)
        falkordb_vocabulary(self, schema)

    def search_text(self, index: FullText, words: list[str], limit: int) -> list[tuple[Any, float]]:
        return falkordb_fulltext(self, index, words, limit)

    def _await_constraints(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.read("CALL db.constraints() YIELD status RETURN collect(status) AS statuses")
            statuses = rows[0]["statuses"] if rows else []
            if "FAILED" in statuses:
                raise RuntimeError("a unique constraint failed to build: duplicate keys in the graph")
            if all(status == "OPERATIONAL" for status in statuses):
                return
            time.sleep(0.05)
        raise TimeoutError("unique constraints still pending")

    def clear(self) -> None:
        try:
            self._send_once(["GRAPH.DELETE", self._graph_name])
        except redis.ResponseError:
            pass
        self._graph = Graph(self._client, self._graph_name)

    def close(self) -> None:
        self._client.close()


def _plain(value: Any) -> Any:
    """OrderedDicts and nested lists from the client as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
