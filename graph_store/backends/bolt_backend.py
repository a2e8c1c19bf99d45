"""Neo4j (or any Bolt server) through the official `neo4j` driver.

DDL is per server dialect: "neo4j" (default) creates unique constraints; "falkordb" (FalkorDB's
Bolt endpoint, used in tests to exercise this backend over the real wire protocol) creates plain
indexes, because Neo4j's constraint DDL sent there hangs the connection, and FalkorDB serialises
writes, so MERGE stays race-free without the constraint.
"""
from __future__ import annotations

from typing import Any

import neo4j
from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

from ..schema import FullText, Schema
from . import GraphUnavailable, falkordb_fulltext, falkordb_fulltext_schema, falkordb_vocabulary, plain_words


class BoltBackend:
    name = "bolt"

    def __init__(self, uri: str, user: str = "neo4j", password: str = "", database: str | None = None,
                 timeout: float = 10.0, dialect: str = "neo4j"):
        if dialect not in ("neo4j", "falkordb"):
            raise ValueError(f"unknown Bolt dialect {dialect!r}")
        self.dialect = dialect
        # FalkorDB's Bolt endpoint wedges under several simultaneous connections (seen in our tests):
        # against it, one pooled connection serialises the callers; a real Neo4j gets a normal pool.
        pool = 1 if dialect == "falkordb" else 32
        # FalkorDB's Bolt endpoint dies ("stack smashing detected") on a write whose parameters hold more
        # than a few records of a migration (seen: 5 articles fine, 10 not; the same query over its
        # Redis protocol takes hundreds): batches of migrated records go in chunks against it.
        self.max_write_items = 4 if dialect == "falkordb" else None
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=timeout,
                                                  max_connection_pool_size=pool,
                                                  connection_acquisition_timeout=60)
        # Naming the database spares the driver a home-database lookup, which needs a second
        # connection (a one-connection pool would wait for itself).
        self._database = database or ("sysops" if dialect == "falkordb" else None)

    def _run(self, access_mode: str, query: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
        if self.dialect == "falkordb":
            params = _quoted(params or {})

        def work(tx):
            return [record.data() for record in tx.run(query, params or {})]

        try:
            with self._driver.session(database=self._database, default_access_mode=access_mode) as session:
                runner = session.execute_read if access_mode == neo4j.READ_ACCESS else session.execute_write
                return runner(work)
        except (ServiceUnavailable, SessionExpired, TransientError) as exc:
            raise GraphUnavailable(str(exc)) from exc

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._run(neo4j.READ_ACCESS, query, params)

    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._run(neo4j.WRITE_ACCESS, query, params)

    def ping(self) -> bool:
        try:
            self._driver.verify_connectivity()
        except neo4j.exceptions.DriverError as exc:
            raise GraphUnavailable(str(exc)) from exc
        except neo4j.exceptions.Neo4jError as exc:
            raise GraphUnavailable(str(exc)) from exc
        return True

    def ensure_schema(self, schema: Schema) -> None:
        if self.dialect == "neo4j":
            for label, key in schema.unique_keys:
                self.write(f"CREATE CONSTRAINT {label.lower()}_{key}_unique IF NOT EXISTS "
                           f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
            for label, key in schema.range_indexes:
                self.write(f"CREATE INDEX {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) ON (n.{key})")
            for index in schema.fulltext:
                fields = ", ".join(f"n.{name}" for name, _weight in index.fields)
                self.write(f"CREATE FULLTEXT INDEX {index.label.lower()}_text IF NOT EXISTS FOR (n:{index.label}) "
                           f"ON EACH [{fields}]")
            return
        existing = {(row["label"], (key,)) for row in self.read(  # one row per label, all its properties
            "CALL db.indexes() YIELD label, properties RETURN label, properties") for key in row["properties"]}
        for label, key in schema.unique_keys + schema.range_indexes:
            if (label, (key,)) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label}) ON (n.{key})")
        falkordb_fulltext_schema(self, schema)
        falkordb_vocabulary(self, schema)

    def search_text(self, index: FullText, words: list[str], limit: int) -> list[tuple[Any, float]]:
        if self.dialect == "falkordb":
            return falkordb_fulltext(self, index, words, limit)
        terms = plain_words(words)  # Lucene: space-separated clauses are OR-ed; ^ boosts a field
        if not terms:
            return []
        query = " ".join(f"{name}:({' '.join(terms)})^{weight}" for name, weight in index.fields)
        rows = self.read(f"CALL db.index.fulltext.queryNodes('{index.label.lower()}_text', $q) YIELD node, score "
                         "RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit",
                         {"q": query, "limit": limit})
        return [(row["id"], float(row["score"])) for row in rows]

    def clear(self) -> None:
        self.write("MATCH (n) DETACH DELETE n")

    def close(self) -> None:
        self._driver.close()


def _quoted(value: Any) -> Any:
    """FalkorDB's Bolt endpoint puts string parameters into single-quoted literals without escaping them
    (seen: "app's" fails with an unknown error, "app\\'s" is stored as "app's"): escape the quote."""
    if isinstance(value, str):
        return value.replace("'", "\\'")
    if isinstance(value, dict):
        return {k: _quoted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_quoted(v) for v in value]
    return value
