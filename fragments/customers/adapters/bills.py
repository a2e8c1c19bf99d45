"""Bills, payments, payment methods and billing runs in the graph (the Bills port), and the monolith's
bills with their payments as a part that moves (graph_store/lazy.py: freeze, copy, mark; reconcile by
checksum; roll back by release: nothing here changes a legacy bill's content but its payments, which a
rollback would have to carry back, so a part with payments taken here is refused a rollback).

`(:Bill {key: '<contract>:<YYYY-MM>'})-[:PAID_BY]->(:Payment {key})`: one bill per contract and month,
written create-only, so a billing run repeated or resumed after a crash bills nothing twice, and a
legacy bill copied first is never billed again. A payment's key comes from the form that made it: a
repeated submit finds it and pays nothing. `(:PaymentMethod {id})` holds the gateway's token and the
card's last four digits, never the card. A plan's monthly price versions are `prices` on its node."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from bridge_client import BridgeClient, record_checksum
from bridge_client.handover import BILLS
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.backfill import backfill_ids
from graph_store.cutover import RollbackRefused
from graph_store.errors import port_errors
from graph_store.faults import crash_point
from graph_store.lazy import HandoverPart, LazyMigration
from graph_store.reconciliation import Reconciliation, reconcile_part
from graph_store.writes import in_place

from ..domain.billing import SINCE_ALWAYS, Month, bill_key
from ..services.ports import BillMissing, LegacyUnavailable, StoreUnavailable
from .customers import GraphCatalogue

MAPPING_VERSION = 1
BILL_FIELDS = ("key", "contract_id", "customer_id", "plan_id", "period", "amount_cents", "issued_on", "due_on",
               "status", "paid_cents", "source")
PAYMENT_FIELDS = ("key", "bill_key", "amount_cents", "paid_at", "method", "gateway_ref", "by", "source")

# Create-only, set first and create last (ADR 0029); two runs at once: the unique key refuses the second.
ADD_BILLS = f"""
UNWIND $items AS b
OPTIONAL MATCH (x:Bill {{key: b.key}})
WITH b, x WHERE x IS NULL
MATCH (k:Contract {{id: b.contract_id}})
CREATE (k)-[:BILLED]->(:Bill {{{in_place(BILL_FIELDS, 'b')}}})
RETURN b.key AS key
"""

# The payment and the bill's paid total in one query: refused (nothing written) when the key paid
# already, the bill is cancelled, or it would take more than is owed (a payment made meanwhile).
ADD_PAYMENT = f"""
MATCH (b:Bill {{key: $bill}})
OPTIONAL MATCH (seen:Payment {{key: $p.key}})
WITH b, seen WHERE seen IS NULL AND b.status <> 'cancelled' AND b.paid_cents + $p.amount_cents <= b.amount_cents
SET b.paid_cents = b.paid_cents + $p.amount_cents
CREATE (b)-[:PAID_BY]->(:Payment {{{in_place(PAYMENT_FIELDS, '$p')}}})
RETURN b.key AS key
"""

WRITE_LEGACY = """
UNWIND $items AS s
MERGE (b:Bill {key: s.bill.key})
ON CREATE SET b += s.bill, b.migration_token = $token
WITH b, s WHERE b.migration_token = $token
OPTIONAL MATCH (k:Contract {id: s.bill.contract_id})
FOREACH (_ IN CASE WHEN k IS NULL THEN [] ELSE [1] END | MERGE (k)-[:BILLED]->(b))
FOREACH (p IN s.payments | CREATE (b)-[:PAID_BY]->(:Payment {key: p.key, bill_key: p.bill_key,
  amount_cents: p.amount_cents, paid_at: p.paid_at, method: p.method, source: 'legacy', legacy_id: p.legacy_id}))
RETURN b.legacy_id AS id
"""

BILL_WITH_PAYMENTS = "OPTIONAL MATCH (b)-[:PAID_BY]->(p:Payment) RETURN properties(b) AS b, collect(properties(p)) AS payments"


def _bill(row: dict[str, Any]) -> dict[str, Any]:
    bill = {k: v for k, v in row["b"].items() if k not in ("migration_token",)}
    bill["payments"] = sorted(row.get("payments") or [], key=lambda p: str(p.get("paid_at")))
    return bill


@port_errors(StoreUnavailable, LegacyUnavailable)
class GraphBills:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient | None = None):
        self.db = backend
        self.bridge = bridge  # None: the legacy bills are those copied already

    def contracts_in_force(self, first: dt.date, last: dt.date, after_id: int, limit: int) -> list[dict[str, Any]]:
        # A cancelled contract is billed up to its end day, if it has one.
        rows = self.db.read("MATCH (k:Contract) WHERE k.id > $after AND k.start_date <= $last "
                            "AND (k.end_date IS NULL OR k.end_date >= $first) "
                            "AND (k.status <> 'cancelled' OR k.end_date IS NOT NULL) "
                            "RETURN k.id AS id, k.customer_id AS customer_id, k.plan_id AS plan_id, "
                            "k.start_date AS start_date, k.end_date AS end_date, k.status AS status "
                            "ORDER BY id LIMIT $limit",
                            {"after": after_id, "first": first.isoformat(), "last": last.isoformat(), "limit": limit})
        return [dict(row) for row in rows]

    def prices(self) -> dict[int, list[dict[str, Any]]]:
        rows = self.db.read("MATCH (p:Plan) RETURN p.id AS id, p.prices AS prices, p.monthly_price_cents AS cents")
        return {row["id"]: json.loads(row["prices"]) if row["prices"]
                else [{"from": SINCE_ALWAYS, "cents": row["cents"] or 0}] for row in rows}

    def price_changed(self, plan_id: int, versions: list[dict[str, Any]]) -> None:
        self.db.write("MATCH (p:Plan {id: $id}) SET p.prices = $prices", {"id": plan_id, "prices": json.dumps(versions)})

    def add_bills(self, bills: list[dict[str, Any]]) -> int:
        items = [{**bill, "paid_cents": 0, "source": "new"} for bill in bills]
        created = len(self.db.write(ADD_BILLS, {"items": items}))
        if created:
            crash_point("billing-after-bills")  # fault-injection tests: bills written, the run not moved on
        return created

    def start_run(self, month: str, now: dt.datetime) -> dict[str, Any]:
        """The month's run, recorded as started (or found started by a run that did not finish); the
        catalogue and the legacy bills are copied first, so every plan has its price and no month the
        monolith billed is billed again (a monolith that does not answer refuses the run: LegacyUnavailable)."""
        if self.bridge is not None:
            GraphCatalogue(self.db, self.bridge).ensure_held()  # the plans' prices
            take_legacy_bills(self.db, self.bridge)
        found = self.run(month)
        if found is None:
            self.db.write("MERGE (r:BillingRun {month: $month}) SET r.started_at = $at, r.state = 'running', r.runs = 1",
                          {"month": month, "at": iso(now)})
            return {"month": month, "resumed": False}
        self.db.write("MATCH (r:BillingRun {month: $month}) SET r.runs = coalesce(r.runs, 1) + 1", {"month": month})
        return {**found, "resumed": found.get("state") == "running"}

    def finish_run(self, month: str, billed: int, now: dt.datetime) -> dict[str, Any]:
        rows = self.db.read("MATCH (b:Bill {period: $month}) RETURN count(b) AS n", {"month": month})
        self.db.write("MATCH (r:BillingRun {month: $month}) SET r.finished_at = $at, r.state = 'done', "
                      "r.bills = $bills, r.billed_last = $billed",
                      {"month": month, "at": iso(now), "bills": rows[0]["n"], "billed": billed})
        return self.run(month) or {}

    def run(self, month: str) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (r:BillingRun {month: $month}) RETURN properties(r) AS r", {"month": month})
        return dict(rows[0]["r"]) if rows else None

    def bills_of(self, customer_id: int) -> list[dict[str, Any]]:
        rows = self.db.read(f"MATCH (b:Bill {{customer_id: $id}}) {BILL_WITH_PAYMENTS} ORDER BY b.period DESC, b.key",
                            {"id": customer_id})
        return [_bill(row) for row in rows]

    def bill(self, key: str) -> dict[str, Any]:
        rows = self.db.read(f"MATCH (b:Bill {{key: $key}}) {BILL_WITH_PAYMENTS}", {"key": key})
        if not rows:
            raise BillMissing(key)
        return _bill(rows[0])

    def add_payment(self, bill_key: str, payment: dict[str, Any]) -> bool:
        return bool(self.db.write(ADD_PAYMENT, {"bill": bill_key, "p": {**payment, "bill_key": bill_key}}))

    def payment(self, key: str) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (p:Payment {key: $key}) RETURN properties(p) AS p", {"key": key})
        return dict(rows[0]["p"]) if rows else None

    def cancel(self, bill_key: str, by: str, now: dt.datetime) -> bool:
        """Only a bill nothing was paid on (False otherwise, or cancelled already)."""
        return bool(self.db.write("MATCH (b:Bill {key: $key}) WHERE b.status <> 'cancelled' AND b.paid_cents = 0 "
                                  "SET b.status = 'cancelled', b.cancelled_by = $by, b.cancelled_at = $at "
                                  "RETURN b.key AS key", {"key": bill_key, "by": by, "at": iso(now)}))

    def bills_in(self, months: list[str]) -> list[dict[str, Any]]:
        rows = self.db.read("UNWIND $months AS m MATCH (b:Bill {period: m}) RETURN b.period AS period, "
                            "b.plan_id AS plan_id, b.amount_cents AS amount_cents, b.paid_cents AS paid_cents, "
                            "b.due_on AS due_on, b.status AS status", {"months": months})
        return [dict(row) for row in rows]

    def methods_of(self, customer_id: int) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (m:PaymentMethod {customer_id: $id}) RETURN properties(m) AS m ORDER BY m.added_at",
                            {"id": customer_id})
        return [dict(row["m"]) for row in rows]

    def add_method(self, customer_id: int, method: dict[str, Any]) -> dict[str, Any]:
        card = {**method, "id": uuid.uuid4().hex, "customer_id": customer_id}
        fields = ("id", "customer_id", "token", "last4", "brand", "expires", "added_at")
        self.db.write(f"CREATE (:PaymentMethod {{{in_place(fields, '$m')}}})", {"m": card})
        return card


# The monolith's bills.
def legacy_payment_key(payment_id: int) -> str:
    return f"legacy-{payment_id}"


def legacy_content(bill: dict[str, Any], payments: list[dict[str, Any]]) -> dict[str, Any]:
    """A copied legacy bill's content in the bridge's published shape (what the checksum covers)."""
    return {"id": bill["legacy_id"], "contract_id": bill["contract_id"], "period_start": bill["period_start"],
            "amount_cents": bill["amount_cents"], "issued_on": bill["issued_on"], "due_on": bill["due_on"],
            "payments": [{"id": p["legacy_id"], "paid_at": p["paid_at"], "amount_cents": p["amount_cents"],
                          "method": p["method"]}
                         for p in sorted((p for p in payments if p.get("source") == "legacy"),
                                         key=lambda p: p["legacy_id"])]}


class BillPart(HandoverPart):
    name = BILLS
    write_query = WRITE_LEGACY

    def __init__(self, backend: GraphBackend):
        self.db = backend

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        period = Month.of(dt.date.fromisoformat(record["period_start"]))
        key = bill_key(record["contract_id"], period)
        owners = self.db.read("MATCH (k:Contract {id: $id}) RETURN k.customer_id AS customer, k.plan_id AS plan",
                              {"id": record["contract_id"]})
        payments = [{"key": legacy_payment_key(p["id"]), "bill_key": key, "amount_cents": p["amount_cents"],
                     "paid_at": p["paid_at"], "method": p["method"], "legacy_id": p["id"]} for p in record["payments"]]
        bill = {"key": key, "legacy_id": record["id"], "contract_id": record["contract_id"],
                "customer_id": owners[0]["customer"] if owners else None, "plan_id": owners[0]["plan"] if owners else None,
                "period": str(period), "period_start": record["period_start"], "amount_cents": record["amount_cents"],
                "issued_on": record["issued_on"], "due_on": record["due_on"], "status": "open",
                "paid_cents": sum(p["amount_cents"] for p in record["payments"]), "source": "legacy",
                "migrated_via": via, "migrated_at": iso(now), "source_checksum": record["checksum"],
                "mapping_version": MAPPING_VERSION}
        return {"key": record["id"], "bill": bill, "payments": payments}

    def missing(self, record_id: int) -> Exception:
        return BillMissing(f"no legacy bill {record_id}")

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("UNWIND $ids AS id MATCH (b:Bill {legacy_id: id}) "
                            "OPTIONAL MATCH (b)-[:PAID_BY]->(p:Payment) "
                            "RETURN properties(b) AS b, collect(properties(p)) AS payments", {"ids": list(ids)})
        return {row["b"]["legacy_id"]: record_checksum(legacy_content(row["b"], row["payments"])) for row in rows}


def bill_migration(backend: GraphBackend, bridge: BridgeClient) -> LazyMigration:
    return LazyMigration(backend, bridge, BillPart(backend))


def take_legacy_bills(backend: GraphBackend, bridge: BridgeClient) -> int:
    """Every legacy bill not yet copied, with its payments (resumable, create-only). Returns how many
    this call copied."""
    return backfill_ids(bill_migration(backend, bridge), bridge.handover_ids(BILLS, migrated="false"),
                        workers=2).migrated


def reconcile_bills(backend: GraphBackend, bridge: BridgeClient, now: dt.datetime | None = None) -> Reconciliation:
    return reconcile_part(bill_migration(backend, bridge), BILLS, now)


def made_here(backend: GraphBackend) -> tuple[int, int]:
    """Bills and payments this service made (not copied from the monolith)."""
    bills = backend.read("MATCH (b:Bill) WHERE b.source = 'new' RETURN count(b) AS n")[0]["n"]
    payments = backend.read("MATCH (p:Payment) WHERE p.source = 'new' RETURN count(p) AS n")[0]["n"]
    return int(bills), int(payments)


def give_back_bills(backend: GraphBackend, bridge: BridgeClient, batch_size: int = 200) -> int:
    """The rollback: every legacy bill the monolith's own again, the copies (with their payments)
    forgotten. Refused (RollbackRefused, nothing changed) once a bill was issued or a payment taken here:
    the monolith has no route to take them (ADR 0038). Returns how many were given back."""
    bills, payments = made_here(backend)
    if bills or payments:
        raise RollbackRefused(f"{bills} bills were issued and {payments} payments taken by the customers service; "
                              "the monolith cannot take them back: billing stays with the service. Nothing was changed")
    ids = [row["id"] for row in backend.read("MATCH (b:Bill) WHERE b.legacy_id IS NOT NULL "
                                             "RETURN b.legacy_id AS id ORDER BY id")]
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        bridge.release_handover(BILLS, batch)
        backend.write("UNWIND $ids AS id MATCH (b:Bill {legacy_id: id}) OPTIONAL MATCH (b)-[:PAID_BY]->(p:Payment) "
                      "DETACH DELETE p, b", {"ids": batch})
    return len(ids)
