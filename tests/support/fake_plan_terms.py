"""The reports' PlanTerms port as a test sets it: plans with their terms, contracts with their plan."""
from __future__ import annotations

from typing import Any

from fragments.customers.published.calendar_v1 import public_holidays
from fragments.reports.services.ports import TermsUnavailable


class FakePlanTerms:
    def __init__(self, plans: dict[int, list[dict[str, Any]]] | None = None,
                 contracts: dict[int, dict[str, Any]] | None = None, regions: dict[int, str | None] | None = None):
        self.plans = plans or {}
        self.contracts = contracts or {}
        self.regions_by_locale = regions or {}
        self.down = False
        self.asked: list[dict[int, int | None]] = []

    def contract_plans(self, contracts: dict[int, int | None]) -> dict[int, dict[str, Any]]:
        if self.down:
            raise TermsUnavailable("the customers service is not answering")
        self.asked.append(dict(contracts))
        return {k: self.contracts[k] for k in contracts if k in self.contracts}

    def every_plan_terms(self) -> dict[int, list[dict[str, Any]]]:
        if self.down:
            raise TermsUnavailable("the customers service is not answering")
        return self.plans

    def regions(self) -> dict[int, str | None]:
        return self.regions_by_locale

    def public_holidays(self, region: str | None) -> list[str]:
        return public_holidays(region)
