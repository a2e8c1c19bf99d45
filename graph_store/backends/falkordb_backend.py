"""FalkorDB over its own protocol (RESP), through the `falkordb` client."""
from __future__ import annotations

import time
from typing import Any

import redis
from falkordb import FalkorDB

from . import RANGE_INDEXES, UNIQUE_KEYS, GraphUnavailable


class FalkorBackend:
    name = "falkordb"

    def __init__(self, *, graph: str = "sysops", unix_socket_path: str | None = None, host: str | None = None,
                 port: int = 6379, password: str | None = None, timeout: float = 10.0, max_connections: int = 32):
        kwargs: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": 5, "password": password,
                                  "max_connections": max_connections}
        if unix_socket_path:
            kwargs["unix_socket_path"] = unix_socket_path
        else:
            kwargs.update(host=host or "localhost", port=port)
        self._db = FalkorDB(**kwargs)
        self._graph_name = graph
        self._graph = self._db.select_graph(graph)

    @property
    def graph_name(self) -> str:
        return self._graph_name

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

    def ping(self) -> bool:
        try:
            return bool(self._db.connection.ping())
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise GraphUnavailable(str(exc)) from exc

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        # One query is one atomic unit in FalkorDB (writes are serialised per graph).
        try:
            return self._rows(self._graph.query(query, params or {}))
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise GraphUnavailable(str(exc)) from exc

    def ensure_schema(self) -> None:
        # One row per label with all its indexed properties; no rows while the graph does not exist yet
        # (read() answers an empty graph with nothing; the first index creates it).
        existing = {(row["label"], (key,)) for row in self.read(
            "CALL db.indexes() YIELD label, properties RETURN label, properties") for key in row["properties"]}
        for label, key in UNIQUE_KEYS + RANGE_INDEXES:
            if (label, (key,)) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label}) ON (n.{key})")
        connection = self._db.connection
        for label, key in UNIQUE_KEYS:
            try:
                connection.execute_command("GRAPH.CONSTRAINT", "CREATE", self._graph_name, "UNIQUE", "NODE", label,
                                           "PROPERTIES", "1", key)
            except redis.ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise
        self._await_constraints()

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
            self._graph.delete()
        except redis.ResponseError:
            pass
        self._graph = self._db.select_graph(self._graph_name)

    def close(self) -> None:
        self._db.connection.close()


def _plain(value: Any) -> Any:
    """OrderedDicts and nested lists from the client as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
