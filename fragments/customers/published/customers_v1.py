"""Customers, contracts, coverage and the catalogue as other services may read them (version 1).

The customers service owns these nodes (docs/adr/0025); ticketing's raise path, the experts' pages,
the reports and the notifications read them here, in the shapes the bridge's v1 used to serve, so a
reader moved from the bridge changes nothing but where it asks. Only records the service holds are
answered (a customer not copied yet is None: ask the customers service's API, which copies it on
first read). tests/graph/test_published_customers.py holds this module to its promises, on both backends.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from graph_store.backends import GraphBackend

CUSTOMER = ("c {.id, .first_name, .last_name, .email, .phone, .address_line, .city, .postcode, .locale_id, "
            ".notification_preference, .created_at, .version} AS customer, "
            "l {.id, .code, .name, .region} AS locale")
CONTRACT_FIELDS = ("id", "reference", "customer_id", "start_date", "end_date", "status", "product_ids", "plan_id")
PLAN_FIELDS = ("id", "code", "name", "max_open_tickets")


def _projection(node: str, fields: tuple[str, ...]) -> str:
    """`node`'s properties named in `fields` as a map projection: `k {.id, .name}`."""
    return f"{node} {{{', '.join('.' + name for name in fields)}}}"


def _literal(node: str, fields: tuple[str, ...]) -> str:
    """The same map as a literal, `{id: k.id, name: k.name}`: nulls where the node is missing, where a
    projection of a missing node is an error in FalkorDB."""
    return "{" + ", ".join(f"{name}: {node}.{name}" for name in fields) + "}"


CONTRACT = f"{_projection('k', CONTRACT_FIELDS)} AS contract, {_projection('p', PLAN_FIELDS)} AS plan"
PRODUCT = "p {.id, .sku, .name, .category, .manufacturer} AS product"
# In force on $day, active, covering $product: the monolith's rule (newest contract first).
IN_FORCE = ("k.status = 'active' AND k.start_date <= $day AND (k.end_date IS NULL OR $day <= k.end_date)")


RAISE_FACTS = (f"MATCH (c:Customer {{id: $id}}) WHERE c.source IS NOT NULL "
               f"OPTIONAL MATCH (l:Locale {{id: c.locale_id}}) "
               f"OPTIONAL MATCH (c)-[:HOLDS]->(k:Contract) WHERE {IN_FORCE} AND $product IN k.product_ids "
               f"WITH c, l, k ORDER BY k.start_date DESC, k.id DESC "
               f"WITH c, l, collect(k) AS covering WITH c, l, covering[0] AS k "
               f"OPTIONAL MATCH (p:Plan {{id: k.plan_id}}) "
               f"RETURN {CUSTOMER}, CASE WHEN k IS NULL THEN null ELSE {_projection('k', CONTRACT_FIELDS)} END "
               f"AS contract, {_projection('p', PLAN_FIELDS)} AS plan, p.terms AS terms")


def _customer(row: dict[str, Any]) -> dict[str, Any]:
    customer = dict(row["customer"])
    found = row["locale"] or {}
    # (a locale not copied yet: some engines give a map of nulls for the missing node)
    customer["locale"] = found if found.get("id") is not None else {"id": customer.get("locale_id"), "code": "",
                                                                    "name": "", "region": ""}
    return customer


def _contract(row: dict[str, Any]) -> dict[str, Any]:
    contract = dict(row["contract"])
    plan_id = contract.pop("plan_id")
    plan = row["plan"] or {}
    contract["plan"] = plan if plan.get("id") is not None else {"id": plan_id, "code": "", "name": ""}
    contract["product_ids"] = list(contract.get("product_ids") or [])
    return contract


class CustomerRows:
    def __init__(self, db: GraphBackend):
        self.db = db

    def customer(self, customer_id: int) -> dict[str, Any] | None:
        """The customer as the bridge's v1 served it (with `locale` and a `version`), or None if the
        service does not hold them yet."""
        found = self.customers([customer_id])
        return found.get(customer_id)

    def customers(self, customer_ids: list[int]) -> dict[int, dict[str, Any]]:
        rows = self.db.read(f"UNWIND $ids AS id MATCH (c:Customer {{id: id}}) WHERE c.source IS NOT NULL "
                            f"OPTIONAL MATCH (l:Locale {{id: c.locale_id}}) RETURN {CUSTOMER}",
                            {"ids": sorted(set(customer_ids))})
        return {row["customer"]["id"]: _customer(row) for row in rows}

    def contracts(self, customer_id: int) -> list[dict[str, Any]]:
        """The customer's contracts, newest first (as the bridge listed them)."""
        rows = self.db.read(f"MATCH (:Customer {{id: $id}})-[:HOLDS]->(k:Contract) "
                            f"OPTIONAL MATCH (p:Plan {{id: k.plan_id}}) RETURN {CONTRACT} "
                            f"ORDER BY k.start_date DESC, k.id DESC", {"id": customer_id})
        return [_contract(row) for row in rows]

    def with_contracts(self, customer_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The customer (as `customer` gives them) and their contracts (as `contracts`), in one read; None
        if the service does not hold them yet. (The WITH before the plan's lookup is needed: FalkorDB
        1.4.1 fails an index lookup keyed on an optional node that matched nothing, unless it is passed on.)"""
        rows = self.db.read(f"MATCH (c:Customer {{id: $id}}) WHERE c.source IS NOT NULL "
                            f"OPTIONAL MATCH (l:Locale {{id: c.locale_id}}) "
                            f"OPTIONAL MATCH (c)-[:HOLDS]->(k:Contract) WITH c, l, k OPTIONAL MATCH (p:Plan {{id: k.plan_id}}) "
                            f"WITH c, l, k, p ORDER BY k.start_date DESC, k.id DESC "
                            f"RETURN {CUSTOMER}, collect({{contract: {_literal('k', CONTRACT_FIELDS)}, "
                            f"plan: {_literal('p', PLAN_FIELDS)}}}) AS contracts", {"id": customer_id})
        if not rows:
            return None
        # (no contract: one map of nulls)
        return _customer(rows[0]), [_contract(row) for row in rows[0]["contracts"] if row["contract"]["id"] is not None]

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        """The contract that covers the product for the customer on `day`, or None."""
        rows = self.db.read(f"MATCH (:Customer {{id: $id}})-[:HOLDS]->(k:Contract) WHERE {IN_FORCE} "
                            f"AND $product IN k.product_ids OPTIONAL MATCH (p:Plan {{id: k.plan_id}}) "
                            f"RETURN {CONTRACT} ORDER BY k.start_date DESC, k.id DESC LIMIT 1",
                            {"id": customer_id, "product": product_id, "day": day.isoformat()})
        return _contract(rows[0]) if rows else None

    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        """What a raise needs to know, in one read: the customer (as `customer` gives them), the contract
        covering the product on `day` (as `covering`, or None) and its plan's terms (as `plan_terms`, [] if
        none); None if the service does not hold the customer yet."""
        rows = self.db.read(RAISE_FACTS, {"id": customer_id, "product": product_id, "day": day.isoformat()})
        if not rows:
            return None
        row = rows[0]
        contract = _contract(row) if row["contract"] is not None else None
        terms = sorted(json.loads(row["terms"]), key=lambda v: v["from"]) if contract and row["terms"] else []
        return {"customer": _customer(row), "contract": contract, "terms": terms}

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        """The products the customer's contracts cover on `day`, each with its covering contract's id
        (`contract_id`), by name."""
        rows = self.db.read(f"MATCH (:Customer {{id: $id}})-[:HOLDS]->(k:Contract) WHERE {IN_FORCE} "
                            f"UNWIND k.product_ids AS pid "
                            f"WITH pid, k ORDER BY k.start_date DESC, k.id DESC "
                            f"WITH pid, collect(k.id)[0] AS contract_id "
                            f"MATCH (p:Product {{id: pid}}) WHERE p.source IS NOT NULL "
                            f"RETURN {PRODUCT}, contract_id ORDER BY p.name, p.id",
                            {"id": customer_id, "day": day.isoformat()})
        return [{**row["product"], "contract_id": row["contract_id"]} for row in rows]

    def products(self) -> list[dict[str, Any]]:
        rows = self.db.read(f"MATCH (p:Product) WHERE p.source IS NOT NULL AND coalesce(p.retired, false) = false "
                            f"RETURN {PRODUCT} ORDER BY p.id")
        return [row["product"] for row in rows]

    def product_names(self, product_ids: list[int]) -> dict[int, str]:
        """The names of these products (retired ones too: a contract still covers them)."""
        rows = self.db.read("MATCH (p:Product) WHERE p.id IN $ids AND p.source IS NOT NULL "
                            "RETURN p.id AS id, p.name AS name", {"ids": product_ids})
        return {int(row["id"]): str(row["name"]) for row in rows}

    def locales(self) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (l:Locale) WHERE l.source IS NOT NULL "
                            "RETURN l {.id, .code, .name, .region} AS locale ORDER BY l.id")
        return [row["locale"] for row in rows]

    def plans(self) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (p:Plan) WHERE p.source IS NOT NULL RETURN p {.id, .code, .name, "
                            ".monthly_price_cents, .max_open_tickets, .product_ids} AS plan ORDER BY p.id")
        return [row["plan"] for row in rows]

    def catalogue_held(self) -> bool:
        """Whether the service holds the catalogue yet (it copies it whole, on first read)."""
        return all(self.db.read(f"MATCH (n:{label}) WHERE n.source IS NOT NULL RETURN n.id LIMIT 1")
                   for label in ("Locale", "Product", "Plan"))


def held_counts(db: GraphBackend) -> dict[str, int]:
    """For the migration's progress: customers held (copied from the monolith, or new here), those whose
    legacy row still waits for a change to be written back, and the catalogue records held."""
    rows = db.read("MATCH (c:Customer) WHERE c.source IS NOT NULL RETURN c.source AS source, count(c) AS n, "
                   "sum(CASE WHEN c.legacy_version < c.version THEN 1 ELSE 0 END) AS behind")
    counts = {"legacy": 0, "new": 0, "behind_legacy": 0}
    for row in rows:
        counts[row["source"]] = int(row["n"])
        counts["behind_legacy"] += int(row["behind"] or 0)
    for label, name in (("Product", "products"), ("Plan", "plans"), ("Locale", "locales")):
        counts[name] = int(db.read(f"MATCH (n:{label}) WHERE n.source IS NOT NULL RETURN count(n) AS n")[0]["n"])
    return counts


def plan_terms(db: GraphBackend, plan_id: int) -> list[dict[str, Any]]:
    """A plan's service-level terms, every version with the day it takes effect (`from`), oldest first:
    {from, accept_hours, visit_days, weekdays ("mon-fri"), opens ("08:00"), closes ("18:00")}. A contract
    keeps the version in force on the day it was sold or last renewed."""
    rows = db.read("MATCH (p:Plan {id: $id}) RETURN p.terms AS terms", {"id": plan_id})
    if not rows or not rows[0]["terms"]:
        return []
    versions: list[dict[str, Any]] = json.loads(rows[0]["terms"])
    return sorted(versions, key=lambda v: v["from"])


def contract_plans(db: GraphBackend, contract_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each contract held, its plan and the day it was sold or last renewed (which version of the
    plan's terms it keeps): {contract id: {"plan_id", "start_date"}}; contracts not held are left out
    (a node only a ticket named, by id, has no plan)."""
    # (`k.id IN $ids` and no hop to the customer: at 100x the hop made it 8x slower)
    rows = db.read("MATCH (k:Contract) WHERE k.id IN $ids AND k.plan_id IS NOT NULL "
                   "RETURN k.id AS id, k.plan_id AS plan_id, k.start_date AS start_date", {"ids": sorted(set(contract_ids))})
    return {row["id"]: {"plan_id": row["plan_id"], "start_date": row["start_date"]} for row in rows}


def every_plan_terms(db: GraphBackend) -> dict[int, list[dict[str, Any]]]:
    """Every plan's terms (as plan_terms gives one plan's), in one read."""
    rows = db.read("MATCH (p:Plan) WHERE p.source IS NOT NULL RETURN p.id AS id, p.terms AS terms")
    return {row["id"]: sorted(json.loads(row["terms"]), key=lambda v: v["from"]) if row["terms"] else []
            for row in rows}
