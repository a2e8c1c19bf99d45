"""Customers, coverage and the catalogue as the customers service publishes them (its reader_v1: the
graph where it holds the record, its API otherwise), in the CustomerDirectory port's terms."""
from __future__ import annotations

import datetime as dt
from typing import Any

from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable, CustomerUnknown
from graph_store.errors import StoreError

from ..services.ports import CustomersUnavailable as Unavailable
from ..services.ports import CustomerUnknown as Unknown


class PublishedCustomers:
    def __init__(self, reader: CustomerReader):
        self.reader = reader

    def _call(self, read, *args: Any) -> Any:
        try:
            return read(*args)
        except CustomerUnknown as exc:
            raise Unknown(str(exc)) from exc
        except (CustomersUnavailable, StoreError) as exc:
            raise Unavailable(str(exc)) from exc

    def customer(self, customer_id: int) -> dict[str, Any]:
        return self._call(self.reader.customer, customer_id)

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        return self._call(self.reader.covering, customer_id, product_id, day)

    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any]:
        return self._call(self.reader.raise_facts, customer_id, product_id, day)

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        return self._call(self.reader.covered_products, customer_id, day)

    def products(self) -> list[dict[str, Any]]:
        return self._call(self.reader.products)

    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]:
        return self._call(self.reader.plan_terms, plan_id)

    def public_holidays(self, region: str | None) -> list[str]:
        return self.reader.public_holidays(region)
