"""Customers and the catalogue in the graph, the Customers and Catalogue ports: copied from the
monolith on first read (graph_store/lazy.py), then kept here; every contact change is a new `version`,
written back to the legacy row (`legacy_version` says how far) for old readers and for a rollback."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Callable, Iterable, TypeVar

from bridge_client import HANDOVER_KINDS, BridgeClient
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.backfill import BackfillResult, backfill_ids
from graph_store.errors import MigrationUnavailable, port_errors
from graph_store.lazy import LazyMigration
from graph_store.writes import removing, set_apart

from ..published.customers_v1 import CustomerRows, held_counts
from ..services.ports import CustomerChanged, CustomerMissing, LegacyUnavailable, StoreUnavailable
from .parts import CataloguePart, CustomerPart, search_text

CATALOGUE = tuple(kind for kind in HANDOVER_KINDS if kind != "customers")
Held = TypeVar("Held")
SEARCH_FIELDS = ("c {.id, .first_name, .last_name, .email, .phone, .postcode, .city, .locale_id} AS customer")

# What the edit empties is removed one property at a time (graph_store.writes).
UPDATE_CONTACT = f"""
MATCH (c:Customer {{id: $id}}) WHERE c.source IS NOT NULL AND c.version = $expected
SET c += $contact, c.search_text = $search, c.version = c.version + 1, c.updated_at = $at, c.updated_by = $by
{removing("c")}
RETURN c.version AS version
"""


@port_errors(StoreUnavailable, LegacyUnavailable)
class GraphCustomers:
    """Reads and writes of customers; `get` copies a legacy customer (with their contracts) first."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.rows = CustomerRows(backend)
        self.migration = LazyMigration(backend, bridge, CustomerPart())

    def get(self, customer_id: int) -> dict[str, Any]:
        return self._held(customer_id, self.rows.customer)

    def contracts(self, customer_id: int) -> list[dict[str, Any]]:
        return self.with_contracts(customer_id)[1]

    def with_contracts(self, customer_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return self._held(customer_id, self.rows.with_contracts)

    def _held(self, customer_id: int, read: Callable[[int], Held | None]) -> Held:
        """What `read` finds of the customer, copied here first (with their contracts) if the service did
        not hold them yet; CustomerMissing if the monolith has no such customer either."""
        found = read(customer_id)
        if found is None:
            self.migration.migrate(customer_id, via="lazy")
            found = read(customer_id)
            if found is None:
                raise CustomerMissing(f"no customer {customer_id}")
        return found

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        self.get(customer_id)
        return self.rows.covering(customer_id, product_id, day)

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        self.get(customer_id)
        return self.rows.covered_products(customer_id, day)

    def search(self, words: str, limit: int) -> list[dict[str, Any]]:
        """Every word in some field (names, email, phone, postcode; phone and postcode also without
        their spaces), or the customer number: the legacy screen's search, over those held here."""
        terms = [w for w in words.lower().split() if w][:6]
        if not terms:
            return []
        squashed = "".join(terms)
        number = int(squashed) if squashed.isascii() and squashed.isdigit() and len(squashed) <= 9 else -1
        rows = self.db.read(f"MATCH (c:Customer) WHERE c.source IS NOT NULL AND (c.id = $number OR "
                            f"c.search_text CONTAINS $squashed OR all(t IN $terms WHERE c.search_text CONTAINS t)) "
                            f"RETURN {SEARCH_FIELDS} ORDER BY c.last_name, c.id LIMIT $limit",
                            {"terms": terms, "squashed": squashed, "number": number, "limit": limit})
        return [row["customer"] for row in rows]

    def update_contact(self, customer_id: int, contact: dict[str, str], *, expected_version: int, by: str,
                       now: dt.datetime) -> dict[str, Any]:
        current = self.get(customer_id)
        values, removed = set_apart(contact)
        rows = self.db.write(UPDATE_CONTACT, {
            "id": customer_id, "expected": expected_version, "contact": values, "removed": removed,
            "search": search_text({**current, **contact}), "at": iso(now), "by": by})
        if not rows:
            raise CustomerChanged(f"customer {customer_id} was saved by someone else since version {expected_version}")
        return self.get(customer_id)

    def behind_legacy(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (c:Customer) WHERE c.source = 'legacy' AND c.legacy_version < c.version "
                            "RETURN c.id AS id ORDER BY c.id LIMIT $limit", {"limit": limit})
        found = self.rows.customers([row["id"] for row in rows])
        return [found[row["id"]] for row in rows if row["id"] in found]

    def written_back(self, customer_id: int, version: int) -> None:
        self.db.write("MATCH (c:Customer {id: $id}) WHERE c.legacy_version < $version SET c.legacy_version = $version",
                      {"id": customer_id, "version": version})

    def backfill(self, *, batch_size: int = 400, workers: int = 2, limit: int | None = None) -> BackfillResult:
        """Every legacy customer not yet marked, copied in batches beside lazy reads (create-only)."""
        return backfill_ids(self.migration, self.bridge.handover_ids("customers", migrated="false"),
                            batch_size=batch_size, workers=workers, limit=limit)

    def counts(self) -> dict[str, int]:
        return held_counts(self.db)


@port_errors(StoreUnavailable, LegacyUnavailable)
class GraphCatalogue:
    """Products, plans and locales: copied whole the first time anyone reads them (a few hundred
    records), then read here."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.rows = CustomerRows(backend)
        self.migrations = {kind: LazyMigration(backend, bridge, CataloguePart(kind)) for kind in CATALOGUE}
        self._held = False
        self._lock = threading.Lock()

    def ensure_held(self) -> None:
        if self._held:
            return
        with self._lock:
            if not self._held and not self.rows.catalogue_held():
                # All of it, marked or not: marks in the monolith say nothing of a graph restored empty.
                self.copy_all(via="lazy", unmarked_only=False)
            self._held = True

    def copy_all(self, via: str = "backfill", kinds: Iterable[str] = CATALOGUE, unmarked_only: bool = True) -> int:
        """Copy every legacy record of the catalogue not yet marked, or every one (resumable; create-only)."""
        created = 0
        for kind in kinds:
            ids = list(self.bridge.handover_ids(kind, migrated="false" if unmarked_only else "any"))
            for start in range(0, len(ids), 400):
                created += self.migrations[kind].migrate_batch(ids[start:start + 400], via=via)
        return created

    def products(self) -> list[dict[str, Any]]:
        self._ensure()
        return self.rows.products()

    def product_names(self, product_ids: list[int]) -> dict[int, str]:
        self._ensure()
        return self.rows.product_names(product_ids) if product_ids else {}

    def plans(self) -> list[dict[str, Any]]:
        self._ensure()
        return self.rows.plans()

    def locales(self) -> list[dict[str, Any]]:
        self._ensure()
        return self.rows.locales()

    def _ensure(self) -> None:
        try:
            self.ensure_held()
        except MigrationUnavailable:
            if not self.rows.catalogue_held():
                raise


__all__ = ["GraphCatalogue", "GraphCustomers"]
