"""The customers service's published reads (ticketing's CustomerDirectory port) over a FakeBridgeClient's
customers, contracts and products, for fast service-layer tests: the same data the fake monolith holds,
read the way the customers service answers (the coverage rule: active, in force, covering the product,
newest contract first)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from fragments.ticketing.services.ports import CustomersUnavailable, CustomerUnknown


def covering_contract(contracts: list[dict[str, Any]], product_id: int, day: dt.date) -> dict[str, Any] | None:
    today = day.isoformat()
    for contract in contracts:
        if contract["status"] == "active" and contract["start_date"] <= today and (
                contract["end_date"] is None or today <= contract["end_date"]) and product_id in contract["product_ids"]:
            return contract
    return None


class FakeCustomers:
    def __init__(self, bridge):
        self.bridge = bridge
        self.unavailable = False
        self.reads = 0
        self.terms: dict[int, list[dict[str, Any]]] = {}  # plan id -> versions (none: tickets carry no promises)
        self.holidays: list[str] = []

    def _check(self) -> None:
        self.reads += 1
        if self.unavailable:
            raise CustomersUnavailable("fake customers store switched off")

    def customer(self, customer_id: int) -> dict[str, Any]:
        self._check()
        if customer_id not in self.bridge.customers:
            raise CustomerUnknown(f"no customer {customer_id}")
        return self.bridge.customers[customer_id]

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        self.customer(customer_id)
        return covering_contract(self.bridge.contracts.get(customer_id, []), product_id, day)

    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any]:
        customer = self.customer(customer_id)  # one read, as the published query
        contract = covering_contract(self.bridge.contracts.get(customer_id, []), product_id, day)
        plan_id = (contract or {}).get("plan", {}).get("id")
        return {"customer": customer, "contract": contract,
                "terms": list(self.terms.get(plan_id, [])) if contract and plan_id is not None else []}

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        self.customer(customer_id)
        contracts = self.bridge.contracts.get(customer_id, [])
        covered = [{**p, "contract_id": k["id"]} for p in self.bridge.product_list
                   if (k := covering_contract(contracts, p["id"], day)) is not None]
        return sorted(covered, key=lambda p: p["name"])

    def products(self) -> list[dict[str, Any]]:
        self._check()
        return list(self.bridge.product_list)

    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]:
        self._check()
        return list(self.terms.get(plan_id, []))

    def public_holidays(self, region: str | None) -> list[str]:
        return list(self.holidays)
