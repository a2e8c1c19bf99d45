"""Admins keep the catalogue: products, support plans (what each covers, its limit of open tickets, what
it promises and from when), locales; staff sell a plan to a customer. Every record created or changed
here is written back to the monolith's tables (its screens, the old routes' readers and a rollback see
it); a monolith that does not answer only delays that: `write_back_pending` carries it later."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from ..domain import catalogue as rules
from ..domain.plan_terms import InvalidTerms
from ..domain.plan_terms import validate as validate_terms
from .ports import KINDS, CatalogueAdmin, Clock, Contracts, Customers, LegacyCustomers, OpenWork

log = logging.getLogger(__name__)



class Refused(Exception):
    """The change would leave something wrong (said in the message); nothing was changed."""


@dataclass(frozen=True)
class PlanSummary:
    plan: dict[str, Any]
    in_force: dict[str, Any] | None  # the terms a contract sold today gets
    coming: list[dict[str, Any]]  # versions taking effect later


class CatalogueKeeping:
    def __init__(self, catalogue: CatalogueAdmin, contracts: Contracts, customers: Customers, legacy: LegacyCustomers,
                 work: OpenWork, clock: Clock, on_price: Callable[[int, int, int], None] | None = None):
        """`on_price(plan_id, old, new)`: told when a plan's monthly price changes (billing charges it from then)."""
        self.catalogue, self.contracts, self.customers = catalogue, contracts, customers
        self.legacy, self.work, self.clock = legacy, work, clock
        self.on_price = on_price

    # What the admin page shows.
    def records(self, kind: str) -> list[dict[str, Any]]:
        return self.catalogue.records(kind)

    def plans(self) -> list[PlanSummary]:
        today = self.clock().date().isoformat()
        summaries = []
        for plan in self.catalogue.records("plans"):
            terms = self.catalogue.terms(plan["id"])
            current = [v for v in terms if v["from"] <= today]
            summaries.append(PlanSummary(plan, current[-1] if current else None,
                                         [v for v in terms if v["from"] > today]))
        return summaries

    def _sold(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.catalogue.records(kind) if not r.get("retired")]

    def _taken(self, kind: str, field: str, but: int | None = None) -> list[str]:
        return [str(r[field]) for r in self.catalogue.records(kind) if r["id"] != but]

    # Products.
    def create_product(self, values: dict[str, Any], by: str) -> dict[str, Any]:
        content = rules.product_from_form(values, self._taken("products", "sku"))
        return self._saved("products", self.catalogue.create("products", content, by=by, now=self.clock()))

    def edit_product(self, product_id: int, values: dict[str, Any], version: int, by: str) -> dict[str, Any]:
        content = rules.product_from_form(values, self._taken("products", "sku", but=product_id))
        return self._saved("products", self.catalogue.update("products", product_id, content, expected_version=version,
                                                             by=by, now=self.clock()))

    def retire_product(self, product_id: int, by: str) -> dict[str, Any]:
        product = self.catalogue.record("products", product_id)
        open_now = self.work.open_tickets_about(product_id)
        if open_now:
            raise Refused(f"{product['name']} has {open_now} open ticket{'s' if open_now > 1 else ''}: it can be "
                          "retired once they are closed or cancelled. Nothing was changed.")
        return self.catalogue.retire("products", product_id, by=by, now=self.clock())

    # Plans.
    def create_plan(self, values: dict[str, Any], product_ids: list[str], terms: dict[str, Any],
                    by: str) -> dict[str, Any]:
        """A plan with what it covers and its first terms (in force from the day given, today or later).
        Every field of both forms is checked before anything is stored."""
        errors: dict[str, str] = {}
        content: dict[str, Any] = {}
        first: dict[str, Any] = {}
        try:
            content = rules.plan_from_form(values, product_ids, [p["id"] for p in self._sold("products")],
                                           self._taken("plans", "code"))
        except rules.InvalidRecord as exc:
            errors.update(exc.errors)
        try:
            first = validate_terms(terms, self.clock().date())
        except InvalidTerms as exc:  # named as the plan's terms, beside the plan's own fields
            errors.update({f"terms_{name}": message for name, message in exc.errors.items()})
        if errors:
            raise rules.InvalidRecord(errors)
        plan = self.catalogue.create("plans", content, by=by, now=self.clock())
        plan = self.catalogue.set_terms(plan["id"], [first], expected_version=plan["version"], by=by, now=self.clock())
        return self._saved("plans", plan)

    def edit_plan(self, plan_id: int, values: dict[str, Any], product_ids: list[str], version: int,
                  by: str) -> dict[str, Any]:
        current = self.catalogue.record("plans", plan_id)
        # A product retired since the plan was set up may stay on it (contracts sold cover it still).
        allowed = [p["id"] for p in self._sold("products")] + list(current.get("product_ids") or [])
        content = rules.plan_from_form(values, product_ids, allowed, self._taken("plans", "code", but=plan_id))
        saved = self._saved("plans", self.catalogue.update("plans", plan_id, content, expected_version=version, by=by,
                                                           now=self.clock()))
        if self.on_price is not None:
            self.on_price(plan_id, int(current.get("monthly_price_cents") or 0), int(content["monthly_price_cents"]))
        return saved

    def change_terms(self, plan_id: int, values: dict[str, Any], version: int, by: str) -> dict[str, Any]:
        """A new version of the plan's terms from its effective day (InvalidTerms per field). Contracts
        already sold keep the version they were sold under; a version for the same day replaces it."""
        new = validate_terms(values, self.clock().date())
        kept = [v for v in self.catalogue.terms(plan_id) if v["from"] != new["from"]]
        return self.catalogue.set_terms(plan_id, sorted([*kept, new], key=lambda v: str(v["from"])),
                                        expected_version=version, by=by, now=self.clock())

    def retire_plan(self, plan_id: int, by: str) -> dict[str, Any]:
        """No longer sold; contracts already sold keep it until they end."""
        return self.catalogue.retire("plans", plan_id, by=by, now=self.clock())

    # Locales.
    def create_locale(self, values: dict[str, Any], by: str) -> dict[str, Any]:
        content = rules.locale_from_form(values, self._taken("locales", "code"))
        return self._saved("locales", self.catalogue.create("locales", content, by=by, now=self.clock()))

    def edit_locale(self, locale_id: int, values: dict[str, Any], version: int, by: str) -> dict[str, Any]:
        content = rules.locale_from_form(values, self._taken("locales", "code", but=locale_id))
        return self._saved("locales", self.catalogue.update("locales", locale_id, content, expected_version=version,
                                                            by=by, now=self.clock()))

    def retire_locale(self, locale_id: int, by: str) -> dict[str, Any]:
        locale = self.catalogue.record("locales", locale_id)
        living = self.catalogue.customers_in(locale_id)
        if living:
            raise Refused(f"{living} customer{'s live' if living > 1 else ' lives'} in {locale['name']}: move "
                          f"them to another area first. Nothing was changed.")
        return self.catalogue.retire("locales", locale_id, by=by, now=self.clock())

    # Contracts.
    def sell(self, customer_id: int, values: dict[str, Any], product_ids: list[str], by: str) -> dict[str, Any]:
        """A plan we sell now, sold to the customer (InvalidRecord per field)."""
        self.customers.get(customer_id)
        raw = str(values.get("plan_id") or "")
        plan = next((p for p in self._sold("plans") if str(p["id"]) == raw), None)
        content = rules.contract_from_form(values, plan, product_ids, self.clock().date())
        contract = self.contracts.add(customer_id, content, by=by, now=self.clock())
        self._contract_written_back(contract)
        return contract

    # The monolith's rows kept current.
    def write_back_pending(self, limit: int = 100) -> int:
        """Write back what is not in the monolith yet (products and locales before the plans that name
        them, plans before contracts); how many were written."""
        written = 0
        for kind, record in sorted(self.catalogue.behind_legacy(limit), key=lambda kr: KINDS.index(kr[0])):
            written += self._write_back(kind, record)
        for contract in self.contracts.unwritten(limit):
            written += self._contract_written_back(contract)
        return written

    def _saved(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        self._write_back(kind, record)
        return record

    def _write_back(self, kind: str, record: dict[str, Any]) -> int:
        try:
            self.legacy.write_back_record(kind, record["id"], {name: record.get(name) for name in rules.FIELDS[kind]})
        except Exception as exc:  # the monolith's trouble must not undo a saved change: it is retried
            log.warning("%s %s not written back yet: %s", kind, record["id"], exc)
            return 0
        self.catalogue.written_back(kind, record["id"], int(record["version"]))
        return 1

    def _contract_written_back(self, contract: dict[str, Any]) -> int:
        try:
            self.legacy.write_back_record("contracts", contract["id"],
                                          {name: contract.get(name) for name in rules.CONTRACT_FIELDS})
        except Exception as exc:
            log.warning("contract %s not written back yet: %s", contract["id"], exc)
            return 0
        self.contracts.written_back(contract["id"])
        return 1
