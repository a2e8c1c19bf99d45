"""The customer directory: find a customer, read them with their plans and what each covers, change
their contact details and how they like to be reached (staff on the phone, or the customer)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from ..domain.contact import FIELDS, Contact, validate
from .ports import Catalogue, Clock, Customers, LegacyCustomers

log = logging.getLogger(__name__)
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PlanView:
    """One of a customer's contracts as people read it: the plan, its dates, the products it covers."""

    contract_id: int
    reference: str
    plan: str
    status: str
    start_date: str
    end_date: str | None
    in_force: bool
    products: list[str]
    max_open_tickets: int | None


class Directory:
    def __init__(self, customers: Customers, catalogue: Catalogue, legacy: LegacyCustomers, clock: Clock):
        self.customers, self.catalogue, self.legacy, self.clock = customers, catalogue, legacy, clock

    def customer(self, customer_id: int) -> dict[str, Any]:
        return self.customers.get(customer_id)

    def search(self, words: str) -> list[dict[str, Any]]:
        return self.customers.search(" ".join((words or "").split())[:100], SEARCH_LIMIT)

    def page(self, customer_id: int) -> tuple[dict[str, Any], list[PlanView]]:
        """The customer and their contracts, newest first, with plan terms and product names, as their
        page shows them (the customer and the contracts in one read)."""
        customer, contracts = self.customers.with_contracts(customer_id)
        return customer, self._views(contracts)

    def _views(self, contracts: list[dict[str, Any]]) -> list[PlanView]:
        """Contracts (each with its plan, as held here) as people read them."""
        names = self.catalogue.product_names(sorted({p for k in contracts for p in k["product_ids"]}))
        # A plan not held yet when the contracts were read is, once the catalogue is read (copied whole).
        missing = any(not k["plan"].get("name") for k in contracts)
        plans = {p["id"]: p for p in self.catalogue.plans()} if missing else {}
        today = self.clock().date().isoformat()
        views = []
        for k in contracts:
            plan = k["plan"] if k["plan"].get("name") else plans.get(k["plan"]["id"], k["plan"])
            in_force = k["status"] == "active" and k["start_date"] <= today and (
                k["end_date"] is None or today <= k["end_date"])
            views.append(PlanView(k["id"], k["reference"], plan.get("name", ""), k["status"],
                                  k["start_date"], k["end_date"], in_force,
                                  sorted(names.get(p, f"product {p}") for p in k["product_ids"]),
                                  plan.get("max_open_tickets")))
        return views

    def covered_products(self, customer_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
        return self.customers.covered_products(customer_id, day or self.clock().date())

    def covering(self, customer_id: int, product_id: int, day: dt.date | None = None) -> dict[str, Any] | None:
        return self.customers.covering(customer_id, product_id, day or self.clock().date())

    def locale_code(self, customer: dict[str, Any]) -> str:
        """The customer's locale code ("GB-LDN-N"), from the catalogue if their record does not carry it."""
        locale = customer.get("locale") or {}
        if locale.get("code"):
            return str(locale["code"])
        return next((str(l["code"]) for l in self.catalogue.locales() if l["id"] == locale.get("id")), "")

    def change_contact(self, customer_id: int, values: dict[str, Any], *, expected_version: int,
                       by: str) -> dict[str, Any]:
        """Validate (InvalidContact per field), store as the next version (CustomerChanged if someone
        saved since `expected_version`), then write it back to the legacy row; a monolith that does not
        answer only delays that: the change is kept, and `write_back_pending` carries it later."""
        customer = self.customers.get(customer_id)
        contact = validate(values, self.locale_code(customer))
        saved = self.customers.update_contact(customer_id, contact.as_dict(), expected_version=expected_version,
                                              by=by, now=self.clock())
        self._write_back(saved)
        return saved

    def write_back_pending(self, limit: int = 100) -> int:
        """Write back the customers whose legacy row is behind; how many were written."""
        written = 0
        for customer in self.customers.behind_legacy(limit):
            written += self._write_back(customer)
        return written

    def _write_back(self, customer: dict[str, Any]) -> int:
        contact = Contact(**{name: str(customer.get(name) or "") for name in FIELDS})
        try:
            self.legacy.write_back_contact(customer["id"], {
                **contact.as_dict(), "notification_preference": customer.get("notification_preference") or "email"})
        except Exception as exc:  # the monolith's trouble must not undo a saved change: it is retried
            log.warning("customer %s not written back yet: %s", customer["id"], exc)
            return 0
        self.customers.written_back(customer["id"], int(customer["version"]))
        return 1
