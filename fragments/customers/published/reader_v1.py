"""How another service reads a customer, their coverage or the catalogue (version 1): from the graph
where the customers service holds the record (customers_v1, one query), else from the customers
service's API, which copies the record on that first read. Neither way asks the monolith on its own:
once the customers service holds a customer, reading them never waits on it.

Raises CustomerUnknown (no such customer) or CustomersUnavailable (not held yet, and the customers
service cannot copy it now); callers translate them into their own ports' errors.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import requests

from foundation.request_ids import forwarded
from graph_store.backends import GraphBackend

from .calendar_v1 import public_holidays
from .customers_v1 import CustomerRows, plan_terms


class CustomerUnknown(Exception):
    pass


class CustomersUnavailable(Exception):
    pass


class CustomersApi:
    """The customers service's JSON API, called as a service (a token for `fragment:customers`)."""

    def __init__(self, base_url: str, token: Callable[[], str], *, timeout: float = 5.0):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token, self.timeout = token, timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def get(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}", **forwarded()}
        try:
            answer = self.http.get(self.base + path, headers=headers, timeout=(1.0, self.timeout))
        except requests.RequestException as exc:
            raise CustomersUnavailable(f"the customers service is not answering ({exc.__class__.__name__})") from exc
        if answer.status_code == 404:
            raise CustomerUnknown(f"the customers service knows no {path}")
        if answer.status_code != 200:
            raise CustomersUnavailable(f"the customers service answered {answer.status_code}: {answer.text[:200]}")
        return answer.json()

    def close(self) -> None:
        self.http.close()


class CustomerReader:
    def __init__(self, db: GraphBackend, api: CustomersApi | None):
        self.rows = CustomerRows(db)
        self.api = api

    def customer(self, customer_id: int) -> dict[str, Any]:
        """The customer (bridge v1 shape, with `locale` and `version`)."""
        found = self.rows.customer(customer_id)
        if found is not None:
            return found
        copied: dict[str, Any] = self._api().get(f"/customers/{customer_id}")
        return copied

    def customers(self, customer_ids: list[int]) -> dict[int, dict[str, Any]]:
        """Those held, in one query; the others asked of the service one by one (copied on the way)."""
        found = self.rows.customers(customer_ids)
        for customer_id in sorted(set(customer_ids) - set(found)):
            try:
                found[customer_id] = self.customer(customer_id)
            except CustomerUnknown:
                continue
        return found

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        """The contract covering the product on `day`, or None; the customer is copied first if need be."""
        self.customer(customer_id)
        return self.rows.covering(customer_id, product_id, day)

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        self.customer(customer_id)
        return self.rows.covered_products(customer_id, day)

    def products(self) -> list[dict[str, Any]]:
        return self._catalogue("products", self.rows.products)

    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]:
        """The plan's service-level terms, each version with the day it takes effect (customers_v1)."""
        return plan_terms(self.rows.db, plan_id)

    def public_holidays(self, region: str | None) -> list[str]:
        return public_holidays(region)

    def locales(self) -> list[dict[str, Any]]:
        return self._catalogue("locales", self.rows.locales)

    def _catalogue(self, kind: str, held: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        if self.rows.catalogue_held():
            return held()
        items: list[dict[str, Any]] = self._api().get(f"/catalogue/{kind}")["items"]
        return items

    def _api(self) -> CustomersApi:
        if self.api is None:
            raise CustomersUnavailable("the customers service does not hold this yet, and no API was given")
        return self.api

