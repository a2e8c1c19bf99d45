"""Going back: customers (with their contracts) and the catalogue handed back to the monolith, as
graph_store/cutover.py's rollback sees a part (docs/adr/0026).

Every record the service holds is written back whole (contact details and how the customer is reached;
contracts, products, plans and locales made or changed here), then its legacy row is released: unfrozen
and unmarked, the monolith's own again. Only once every record is back does the graph forget them: each
node keeps only its id (tickets still point at it; a later take-over copies it afresh, and the id
counters stay, so ids made here are never reused). What the monolith has no column for is lost: plan
terms (its readers fall back to the terms the call centre quoted) and retired flags.
"""
from __future__ import annotations

from typing import Any

from bridge_client import BridgeClient
from graph_store.backends import GraphBackend

from ..domain.catalogue import CONTRACT_FIELDS, FIELDS
from .parts import LABELS

ORDER = ("products", "locales", "plans", "customers")  # what a row names is back before it
CONTACT = ("email", "phone", "address_line", "city", "postcode", "notification_preference")


class PartRollback:
    """One kind of the part (products, locales, plans or customers)."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient, kind: str):
        self.db, self.bridge, self.kind, self.label = backend, bridge, kind, LABELS[kind]

    def ids_after(self, after: int, limit: int) -> list[int]:
        return [row["id"] for row in self.db.read(
            f"MATCH (n:{self.label}) WHERE n.id > $after AND n.source IS NOT NULL RETURN n.id AS id ORDER BY id "
            f"LIMIT $n", {"after": after, "n": limit})]

    def legacy_records(self, ids: list[int]) -> list[dict[str, Any]]:
        if self.kind != "customers":
            rows = self.db.read(f"UNWIND $ids AS id MATCH (n:{self.label} {{id: id}}) RETURN properties(n) AS n",
                                {"ids": ids})
            return [{"id": row["n"]["id"], **{f: row["n"].get(f) for f in FIELDS[self.kind]}} for row in rows]
        rows = self.db.read("UNWIND $ids AS id MATCH (c:Customer {id: id}) OPTIONAL MATCH (c)-[:HOLDS]->(k:Contract) "
                            "WHERE k.source = 'new' RETURN properties(c) AS c, collect(properties(k)) AS made_here",
                            {"ids": ids})
        return [{"id": row["c"]["id"], "contact": {f: row["c"].get(f) or "" for f in CONTACT},
                 "contracts": [{f: k.get(f) for f in ("id", *CONTRACT_FIELDS)} for k in row["made_here"]]}
                for row in rows]

    def write_back(self, records: list[dict[str, Any]]) -> None:
        """Whole records (idempotent upserts), then the rows released to the monolith."""
        for record in records:
            if self.kind != "customers":
                self.bridge.write_back_record(self.kind, record["id"], {f: record[f] for f in FIELDS[self.kind]})
                continue
            contact = {**record["contact"], "notification_preference": record["contact"]["notification_preference"]
                       or "email"}
            self.bridge.write_back_contact(record["id"], contact)
            for contract in record["contracts"]:
                self.bridge.write_back_record("contracts", contract["id"],
                                              {f: contract[f] for f in CONTRACT_FIELDS})
        self.bridge.release_handover(self.kind, [record["id"] for record in records])

    def forget(self, limit: int) -> int:
        held = "k.source IS NOT NULL OR k.customer_id IS NOT NULL"
        extra = (f"OPTIONAL MATCH (n)-[:HOLDS]->(k:Contract) WHERE {held} "
                 f"WITH n, collect(k) AS ks FOREACH (k IN ks | SET k = {{id: k.id}}) ") if self.kind == "customers" else ""
        rows = self.db.write(f"MATCH (n:{self.label}) WHERE n.source IS NOT NULL WITH n LIMIT $n {extra}"
                             f"SET n = {{id: n.id}} RETURN count(n) AS n", {"n": limit})
        return int(rows[0]["n"]) if rows else 0


def parts(backend: GraphBackend, bridge: BridgeClient) -> list[PartRollback]:
    return [PartRollback(backend, bridge, kind) for kind in ORDER]


__all__ = ["ORDER", "PartRollback", "parts"]
