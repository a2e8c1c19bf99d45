"""The catalogue as admins keep it (the CatalogueAdmin port), plans sold to customers (Contracts), and
the open work ticketing publishes (OpenWork), in the graph.

Records created here take ids from a counter that starts above every legacy id (NEW_ID_BASE) and
above every id held already (a record created here, written back, and copied again into a graph that
was emptied keeps its id), so ids never collide across the stores. Each change
is a new `version`; `legacy_version` says how far the monolith's row has been written back."""
from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from bridge_client import BridgeClient
from foundation.vocabulary import iso
from fragments.ticketing.published import tickets_v1
from graph_store.backends import GraphBackend
from graph_store.errors import port_errors
from graph_store.writes import in_place, removing, set_apart

from ..services.ports import KINDS, LegacyUnavailable, RecordChanged, RecordMissing, StoreUnavailable
from .customers import GraphCatalogue
from .parts import LABELS

NEW_ID_BASE = {"products": 1_000_000, "plans": 1_000_000, "locales": 1_000_000, "contracts": 100_000_000}
HIDDEN = ("migration_token", "search_text")


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: v for k, v in row.items() if k not in HIDDEN}
    record.setdefault("version", 1)
    record["retired"] = bool(record.get("retired"))
    if "product_ids" in record:
        record["product_ids"] = list(record["product_ids"] or [])
    return record


@port_errors(StoreUnavailable, LegacyUnavailable)
class GraphCatalogueAdmin(GraphCatalogue):
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        super().__init__(backend, bridge)

    def _label(self, kind: str) -> str:
        if kind not in KINDS:
            raise RecordMissing(f"no catalogue of {kind}")
        return LABELS[kind]

    def records(self, kind: str) -> list[dict[str, Any]]:
        self._ensure()
        rows = self.db.read(f"MATCH (n:{self._label(kind)}) WHERE n.source IS NOT NULL RETURN properties(n) AS n "
                            f"ORDER BY n.id")
        return [_record(row["n"]) for row in rows]

    def record(self, kind: str, record_id: int) -> dict[str, Any]:
        self._ensure()
        rows = self.db.read(f"MATCH (n:{self._label(kind)} {{id: $id}}) WHERE n.source IS NOT NULL "
                            f"RETURN properties(n) AS n", {"id": record_id})
        if not rows:
            raise RecordMissing(f"no {kind[:-1]} {record_id}")
        return _record(rows[0]["n"])

    def create(self, kind: str, content: dict[str, Any], *, by: str, now: dt.datetime) -> dict[str, Any]:
        self._ensure()
        rows = self.db.write(_creating(self._label(kind), tuple(sorted(content))),
                             {"counter": kind, "base": NEW_ID_BASE[kind], "content": content, "at": iso(now), "by": by})
        return _record(rows[0]["n"])

    def update(self, kind: str, record_id: int, content: dict[str, Any], *, expected_version: int, by: str,
               now: dt.datetime) -> dict[str, Any]:
        values, removed = set_apart(content)  # what the edit empties, one property at a time (graph_store.writes)
        return self._changed(kind, record_id, f"SET n += $content {removing('n')}",
                             {"content": values, "removed": removed}, expected_version, by, now)

    def set_terms(self, plan_id: int, terms: list[dict[str, Any]], *, expected_version: int, by: str,
                  now: dt.datetime) -> dict[str, Any]:
        return self._changed("plans", plan_id, "SET n.terms = $terms", {"terms": json.dumps(terms)}, expected_version,
                             by, now)

    def _changed(self, kind: str, record_id: int, change: str, params: dict[str, Any], expected: int | None, by: str,
                 now: dt.datetime) -> dict[str, Any]:
        rows = self.db.write(
            f"MATCH (n:{self._label(kind)} {{id: $id}}) WHERE n.source IS NOT NULL "
            f"AND ($expected IS NULL OR coalesce(n.version, 1) = $expected) "
            f"WITH n, coalesce(n.version, 1) AS v, coalesce(n.legacy_version, n.version, 1) AS lv "
            f"{change} SET n.version = v + 1, n.legacy_version = lv, n.updated_at = $at, n.updated_by = $by "
            f"RETURN properties(n) AS n", {"id": record_id, "expected": expected, "at": iso(now), "by": by, **params})
        if not rows:
            current = self.record(kind, record_id)  # RecordMissing if there is no such record
            raise RecordChanged(f"{kind[:-1]} {record_id} was saved by someone else since version {expected} "
                                f"(now {current['version']})")
        return _record(rows[0]["n"])

    def retire(self, kind: str, record_id: int, *, by: str, now: dt.datetime) -> dict[str, Any]:
        return self._changed(kind, record_id, "SET n.retired = true, n.retired_at = $at", {}, None, by, now)

    def terms(self, plan_id: int) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (p:Plan {id: $id}) RETURN p.terms AS terms", {"id": plan_id})
        if not rows or not rows[0]["terms"]:
            return []
        versions: list[dict[str, Any]] = json.loads(rows[0]["terms"])
        return sorted(versions, key=lambda v: str(v["from"]))

    def behind_legacy(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        for kind in KINDS:
            rows = self.db.read(f"MATCH (n:{LABELS[kind]}) WHERE n.source IS NOT NULL "
                                f"AND coalesce(n.legacy_version, n.version, 1) < coalesce(n.version, 1) "
                                f"RETURN properties(n) AS n ORDER BY n.id LIMIT $limit", {"limit": limit})
            found += [(kind, _record(row["n"])) for row in rows]
        return found

    def written_back(self, kind: str, record_id: int, version: int) -> None:
        self.db.write(f"MATCH (n:{self._label(kind)} {{id: $id}}) "
                      f"WHERE coalesce(n.legacy_version, 0) < $version SET n.legacy_version = $version",
                      {"id": record_id, "version": version})

    def customers_in(self, locale_id: int) -> int:
        rows = self.db.read("MATCH (c:Customer) WHERE c.source IS NOT NULL AND c.locale_id = $id RETURN count(c) AS n",
                            {"id": locale_id})
        return int(rows[0]["n"]) if rows else 0


# A record is created with every property in place, after the counter is set (ADR 0029).
NEW_RECORD = {"id": "id", "source": "'new'", "version": "1", "legacy_version": "0", "created_at": "$at",
              "updated_at": "$at", "updated_by": "$by"}


@functools.lru_cache(maxsize=64)
def _creating(label: str, fields: tuple[str, ...]) -> str:
    return (f"OPTIONAL MATCH (m:{label}) WHERE m.id >= $base WITH coalesce(max(m.id), 0) AS top "
            f"MERGE (c:Counter {{name: $counter}}) ON CREATE SET c.value = $base "
            f"SET c.value = CASE WHEN top > c.value THEN top ELSE c.value END + 1 "
            f"WITH c.value AS id CREATE (n:{label} {{{in_place(fields, '$content', NEW_RECORD)}}}) "
            f"RETURN properties(n) AS n")


SELL = """
MATCH (c:Customer {{id: $customer}}) WHERE c.source IS NOT NULL
OPTIONAL MATCH (m:Contract) WHERE m.id >= $base
WITH c, coalesce(max(m.id), 0) AS top
MERGE (counter:Counter {{name: 'contracts'}}) ON CREATE SET counter.value = $base
SET counter.value = CASE WHEN top > counter.value THEN top ELSE counter.value END + 1
WITH c, counter.value AS id
CREATE (k:Contract {{{fields}}}), (c)-[:HOLDS]->(k)
RETURN properties(k) AS k
"""
SOLD = {"id": "id", "customer_id": "$customer", "reference": "'SS-' + toString(id)", "source": "'new'",
        "written_back": "false", "created_at": "$at", "created_by": "$by"}


@functools.lru_cache(maxsize=16)
def selling(fields: tuple[str, ...]) -> str:
    return SELL.format(fields=in_place(fields, "$content", SOLD))


@port_errors(StoreUnavailable, LegacyUnavailable)
class GraphContracts:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def add(self, customer_id: int, content: dict[str, Any], *, by: str, now: dt.datetime) -> dict[str, Any]:
        rows = self.db.write(selling(tuple(sorted(content))), {
            "customer": customer_id, "base": NEW_ID_BASE["contracts"], "content": content, "at": iso(now), "by": by})
        if not rows:
            raise RecordMissing(f"no customer {customer_id}")
        return dict(rows[0]["k"])

    def unwritten(self, limit: int) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (k:Contract) WHERE k.source = 'new' AND k.written_back = false "
                            "RETURN properties(k) AS k ORDER BY k.id LIMIT $limit", {"limit": limit})
        return [dict(row["k"]) for row in rows]

    def written_back(self, contract_id: int) -> None:
        self.db.write("MATCH (k:Contract {id: $id}) SET k.written_back = true", {"id": contract_id})


class PublishedOpenWork:
    """Ticketing's open work, as its tickets_v1 publishes it."""

    def __init__(self, backend: GraphBackend):
        self.db = backend

    def open_tickets_about(self, product_id: int) -> int:
        return tickets_v1.open_tickets_about(self.db, product_id)
