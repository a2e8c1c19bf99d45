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

from . import RANGE_INDEXES, UNIQUE_KEYS, GraphUnavailable


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
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=timeout,
                                                  max_connection_pool_size=pool,
                                                  connection_acquisition_timeout=60)
        # Naming the database spares the driver a home-database lookup, which needs a second
        # connection (a one-connection pool would wait for itself).
        self._database = database or ("sysops" if dialect == "falkordb" else None)

    def _run(self, access_mode: str, query: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
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

    def ensure_schema(self) -> None:
        if self.dialect == "neo4j":
            for label, key in UNIQUE_KEYS:
                self.write(f"CREATE CONSTRAINT {label.lower()}_{key}_unique IF NOT EXISTS "
                           f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
            for label, key in RANGE_INDEXES:
                self.write(f"CREATE INDEX {label.lower()}_{key} IF NOT EXISTS FOR (n:{label}) ON (n.{key})")
            return
        existing = {(row["label"], (key,)) for row in self.read(  # one row per label, all its properties
            "CALL db.indexes() YIELD label, properties RETURN label, properties") for key in row["properties"]}
        for label, key in UNIQUE_KEYS + RANGE_INDEXES:
            if (label, (key,)) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label}) ON (n.{key})")

    def clear(self) -> None:
        self.write("MATCH (n) DETACH DELETE n")

    def close(self) -> None:
        self._driver.close()
