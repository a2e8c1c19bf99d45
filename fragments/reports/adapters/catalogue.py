"""Products' and locales' names as the customers service publishes its catalogue (ADR 0025). A report
shows ids rather than fail when the names cannot be read: an empty list then."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable, MonolithCustomerReader
from graph_store.errors import StoreError

from ..services.ports import TermsUnavailable


class PublishedCatalogue:
    def __init__(self, reader: CustomerReader | MonolithCustomerReader):
        self.reader = reader

    def products(self) -> list[dict[str, Any]]:
        try:
            return self.reader.products()
        except (CustomersUnavailable, StoreError):
            return []

    def locales(self) -> list[dict[str, Any]]:
        try:
            return self.reader.locales()
        except (CustomersUnavailable, StoreError):
            return []

    def plans(self) -> list[dict[str, Any]]:
        try:
            return self.reader.plans()
        except (CustomersUnavailable, StoreError):
            return []


# A contract's plan never changes; its start date moves at a renewal, which applies the terms then in
# force: a report may judge a ticket on the terms of the sale it knew for this long.
CONTRACTS_KEPT_S = 300.0
# Every plan's terms and the locales' regions are read whole; a change of terms takes effect on a date
# (contracts keep the terms they were sold under), so a report may use what it read a minute ago.
LISTS_KEPT_S = 60.0


class PublishedTerms:
    """The PlanTerms port over the customers service's published reader (its graph, or its API for a
    customer not copied yet); the monolith's reader knows no terms: no promise is computed then. The
    contracts read are kept a few minutes, every plan's terms and the regions a minute: recomputing
    today's summary again and again (live traffic changes it between two reports) asks only for
    contracts it has not seen."""

    def __init__(self, reader: CustomerReader | MonolithCustomerReader, clock: Callable[[], float] = time.monotonic):
        self.reader = reader
        self.clock = clock
        self._contracts: dict[int, tuple[float, dict[str, Any]]] = {}
        self._lists: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def contract_plans(self, contracts: dict[int, int | None]) -> dict[int, dict[str, Any]]:
        now = self.clock()
        known = {}
        with self._lock:
            for contract_id in contracts:
                entry = self._contracts.get(contract_id)
                if entry is not None and now - entry[0] < CONTRACTS_KEPT_S:
                    known[contract_id] = entry[1]
        wanted = {k: customer for k, customer in contracts.items() if k not in known}
        if not wanted:
            return known
        try:
            found = self.reader.contract_plans(wanted)
        except (CustomersUnavailable, StoreError) as exc:
            raise TermsUnavailable(str(exc)) from exc
        with self._lock:
            if len(self._contracts) > 200_000:
                self._contracts.clear()
            self._contracts.update({k: (now, plan) for k, plan in found.items()})
        return {**known, **found}

    def every_plan_terms(self) -> dict[int, list[dict[str, Any]]]:
        return self._kept("terms", self.reader.every_plan_terms)

    def regions(self) -> dict[int, str | None]:
        return self._kept("regions", lambda: {locale["id"]: locale.get("region") for locale in self.reader.locales()})

    def _kept(self, name: str, read: Callable[[], Any]) -> Any:
        """`read()`'s answer, read again once it is LISTS_KEPT_S old (shared: callers do not change it).
        A failed read is said (TermsUnavailable) and not kept."""
        now = self.clock()
        with self._lock:
            entry = self._lists.get(name)
        if entry is not None and now - entry[0] < LISTS_KEPT_S:
            return entry[1]
        try:
            value = read()
        except (CustomersUnavailable, StoreError) as exc:
            raise TermsUnavailable(str(exc)) from exc
        with self._lock:
            self._lists[name] = (now, value)
        return value

    def public_holidays(self, region: str | None) -> list[str]:
        return self.reader.public_holidays(region)
