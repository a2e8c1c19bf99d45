"""Customers (with their contracts), products, plans and locales as parts of the monolith that move
into the graph (graph_store/lazy.py: freeze, copy, mark; reconcile by checksum).

Each copy keeps the content the bridge published; its checksum is computed again from the graph's own
copy (bridge_client.record_checksum over the same fields), so reconciliation sees any difference:
a legacy row changed behind the freeze, or an edit here not yet written back to the legacy row."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bridge_client import record_checksum
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.lazy import HandoverPart

from ..domain.catalogue import FIELDS
from ..domain.plan_terms import quoted_terms
from ..services.ports import CustomerMissing

MAPPING_VERSION = 1
CUSTOMER_FIELDS = ("first_name", "last_name", "email", "phone", "address_line", "city", "postcode", "locale_id",
                   "notification_preference", "created_at")
CONTRACT_FIELDS = ("id", "reference", "plan_id", "start_date", "end_date", "status", "product_ids")
LABELS = {"products": "Product", "plans": "Plan", "locales": "Locale", "customers": "Customer"}
CATALOGUE_FIELDS = {kind: (LABELS[kind], fields) for kind, fields in FIELDS.items()}

# Create-only (graph_store/lazy.py). A node without `source` is a stub another service's write left (a
# ticket names its customer and contract by id): it has no content to protect, so it is filled in.
WRITE_CUSTOMERS = """
UNWIND $items AS s
MERGE (c:Customer {id: s.key})
ON CREATE SET c.migration_token = $token
WITH c, s WHERE c.migration_token = $token OR c.source IS NULL
SET c += s.content, c += s.meta, c.migration_token = $token
FOREACH (k IN s.contracts | MERGE (x:Contract {id: k.id}) SET x += k MERGE (c)-[:HOLDS]->(x))
RETURN c.id AS id
"""


def search_text(content: dict[str, Any]) -> str:
    """What staff search by, in lower case; phone and postcode also without spaces."""
    squashed = [str(content.get(name) or "").replace(" ", "") for name in ("phone", "postcode")]
    words = [str(content.get(name) or "") for name in ("first_name", "last_name", "email", "phone", "postcode")]
    return " ".join(words + squashed).lower()


def customer_content(node: dict[str, Any], contracts: list[dict[str, Any]]) -> dict[str, Any]:
    """A held customer's content in the bridge's published shape (what the checksum covers)."""
    return {"id": node["id"], **{name: node.get(name) for name in CUSTOMER_FIELDS},
            "contracts": [{name: k.get(name) for name in CONTRACT_FIELDS}
                          for k in sorted(contracts, key=lambda k: k["id"])]}


class CustomerPart(HandoverPart):
    name = "customers"
    write_query = WRITE_CUSTOMERS

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        content = {name: record.get(name) for name in CUSTOMER_FIELDS}
        contracts = [{**{name: k.get(name) for name in CONTRACT_FIELDS}, "customer_id": record["id"]}
                     for k in record.get("contracts") or []]
        return {"key": record["id"], "content": {**content, "search_text": search_text(content)},
                "contracts": contracts,
                "meta": {"source": "legacy", "migrated_via": via, "migrated_at": iso(now), "version": 1,
                         "legacy_version": 1, "updated_at": iso(now), "updated_by": "legacy",
                         "source_checksum": record["checksum"], "mapping_version": MAPPING_VERSION}}

    def missing(self, record_id: int) -> Exception:
        return CustomerMissing(f"no customer {record_id}")

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("UNWIND $ids AS id MATCH (c:Customer {id: id}) WHERE c.source IS NOT NULL "
                            "OPTIONAL MATCH (c)-[:HOLDS]->(k:Contract) RETURN properties(c) AS c, "
                            "collect(properties(k)) AS contracts", {"ids": list(ids)})
        return {row["c"]["id"]: record_checksum(customer_content(row["c"], row["contracts"])) for row in rows}


class CataloguePart(HandoverPart):
    """Products, plans or locales: small lists, copied whole on first read."""

    def __init__(self, kind: str):
        self.name = kind
        self.label, self.fields = CATALOGUE_FIELDS[kind]
        self.write_query = f"""
UNWIND $items AS s
MERGE (n:{self.label} {{id: s.key}})
ON CREATE SET n.migration_token = $token
WITH n, s WHERE n.migration_token = $token OR n.source IS NULL
SET n += s.content, n += s.meta, n.migration_token = $token
RETURN n.id AS id
"""

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        meta = {"source": "legacy", "migrated_via": via, "migrated_at": iso(now), "version": 1,
                "source_checksum": record["checksum"], "mapping_version": MAPPING_VERSION}
        if self.name == "plans":  # what the plan promises: the monolith never wrote it down
            meta["terms"] = quoted_terms(record.get("code") or "")
        return {"key": record["id"], "content": {name: record.get(name) for name in self.fields}, "meta": meta}

    def missing(self, record_id: int) -> Exception:
        return CustomerMissing(f"no {self.name[:-1]} {record_id}")

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read(f"UNWIND $ids AS id MATCH (n:{self.label} {{id: id}}) WHERE n.source IS NOT NULL "
                            f"RETURN properties(n) AS n", {"ids": list(ids)})
        return {row["n"]["id"]: record_checksum({"id": row["n"]["id"], **{f: row["n"].get(f) for f in self.fields}})
                for row in rows}
