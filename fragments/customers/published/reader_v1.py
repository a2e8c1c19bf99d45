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

from bridge_client import BridgeClient, BridgeError, NotFound
from foundation import resend
from foundation.request_ids import forwarded
from graph_store.backends import GraphBackend

from .calendar_v1 import public_holidays
from .customers_v1 import CustomerRows, contract_plans, every_plan_terms, plan_terms


class CustomerUnknown(Exception):
    pass


class CustomersUnavailable(Exception):
    pass


def _one_by_one(read: Callable[[int], dict[str, Any]], customer_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Each customer read on their own; one that does not exist is left out."""
    found = {}
    for customer_id in sorted(customer_ids):
        try:
            found[customer_id] = read(customer_id)
        except CustomerUnknown:
            continue
    return found


class CustomersApi:
    """The customers service's JSON API, called as a service (a token for `fragment:customers`)."""

    def __init__(self, base_url: str, token: Callable[[], str], *, timeout: float = 5.0):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token, self.timeout = token, timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def get(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}", **forwarded()}
        try:  # once more if it got no answer at all (foundation.resend)
            answer = resend.request(self.http, "GET", self.base + path, headers=headers, timeout=(1.0, self.timeout))
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
        return {**found, **_one_by_one(self.customer, set(customer_ids) - set(found))}

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        """The contract covering the product on `day`, or None; the customer is copied first if need be
        (one query when the service holds the customer and the product is covered: the raise's case)."""
        found = self.rows.covering(customer_id, product_id, day)
        if found is not None:
            return found
        self.customer(customer_id)
        return self.rows.covering(customer_id, product_id, day)

    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any]:
        """The customer, the contract covering the product on `day` (or None) and its plan's terms: one
        query when the service holds the customer (the raise's case), else copied first."""
        found = self.rows.raise_facts(customer_id, product_id, day)
        if found is None:
            self.customer(customer_id)
            found = self.rows.raise_facts(customer_id, product_id, day)
            if found is None:
                raise CustomersUnavailable(f"customer {customer_id} was copied but is not held")
        return found

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        self.customer(customer_id)
        return self.rows.covered_products(customer_id, day)

    def products(self) -> list[dict[str, Any]]:
        return self._catalogue("products", self.rows.products)

    def plans(self) -> list[dict[str, Any]]:
        return self._catalogue("plans", self.rows.plans)

    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]:
        """The plan's service-level terms, each version with the day it takes effect (customers_v1)."""
        return plan_terms(self.rows.db, plan_id)

    def public_holidays(self, region: str | None) -> list[str]:
        return public_holidays(region)

    def contract_plans(self, contracts: dict[int, int | None]) -> dict[int, dict[str, Any]]:
        """{contract id: {"plan_id", "start_date"}} for contracts named with their customer's id: held ones
        in one query; the customers of the others are copied first (CustomersUnavailable if that cannot
        be done now). A contract nobody holds is left out."""
        found = contract_plans(self.rows.db, list(contracts))
        owners = {customer for contract, customer in contracts.items() if contract not in found and customer is not None}
        if not owners:
            return found
        held = set(self.rows.customers(sorted(owners)))
        if owners - held:
            _one_by_one(self.customer, owners - held)
            found = contract_plans(self.rows.db, list(contracts))
        return found

    def every_plan_terms(self) -> dict[int, list[dict[str, Any]]]:
        return every_plan_terms(self.rows.db)

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



class MonolithCustomerReader:
    """The same reads from the monolith's bridge (its v1 routes, served through their Sunset window): what
    every reader uses while the customers service is not installed, after a rollback of the part
    (docs/adr/0026). The monolith has no plan terms: a plan promises nothing it can compute then."""

    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def _asking(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except NotFound as exc:
            raise CustomerUnknown(str(exc)) from exc
        except BridgeError as exc:
            raise CustomersUnavailable(f"the monolith is not answering: {exc}") from exc

    def customer(self, customer_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self._asking(lambda: self.bridge.get_customer(customer_id))
        return found

    def customers(self, customer_ids: list[int]) -> dict[int, dict[str, Any]]:
        return _one_by_one(self.customer, set(customer_ids))

    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None:
        answer = self._asking(lambda: self.bridge.coverage(customer_id, product_id, day))
        if not answer["covered"]:
            return None
        contracts = self._asking(lambda: self.bridge.customer_contracts(customer_id))
        found: dict[str, Any] | None = next((k for k in contracts if k["id"] == answer["contract_id"]), None)
        return found

    def raise_facts(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any]:
        return {"customer": self.customer(customer_id), "contract": self.covering(customer_id, product_id, day),
                "terms": []}

    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]:
        contracts = self._asking(lambda: self.bridge.customer_contracts(customer_id))
        today = day.isoformat()
        covering: dict[int, int] = {}
        for k in sorted(contracts, key=lambda k: (k["start_date"], k["id"]), reverse=True):
            if k["status"] == "active" and k["start_date"] <= today and (k["end_date"] is None or today <= k["end_date"]):
                for product_id in k["product_ids"]:
                    covering.setdefault(product_id, k["id"])
        return sorted(({**p, "contract_id": covering[p["id"]]} for p in self.products() if p["id"] in covering),
                      key=lambda p: (p["name"], p["id"]))

    def products(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._asking(self.bridge.products)
        return found

    def locales(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._asking(self.bridge.locales)
        return found

    def plans(self) -> list[dict[str, Any]]:
        return []  # the bridge never served the plans: their ids name them

    def plan_terms(self, plan_id: int) -> list[dict[str, Any]]:
        return []

    def contract_plans(self, contracts: dict[int, int | None]) -> dict[int, dict[str, Any]]:
        return {}

    def every_plan_terms(self) -> dict[int, list[dict[str, Any]]]:
        return {}

    def public_holidays(self, region: str | None) -> list[str]:
        return public_holidays(region)


def installed_reader(db: GraphBackend, api: CustomersApi | None, bridge: BridgeClient,
                     customers_installed: bool) -> CustomerReader | MonolithCustomerReader:
    """The reader for this installation: the customers service's while it is installed, else the monolith's."""
    return CustomerReader(db, api) if customers_installed else MonolithCustomerReader(bridge)
