"""What the customers service's use cases need: the customers and the catalogue it holds (in the graph,
copied from the monolith on first read), and the monolith's rows kept current for old readers."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

Clock = Callable[[], dt.datetime]


class CustomerMissing(Exception):
    pass


class LegacyUnavailable(Exception):
    """The record is still in the monolith, which is not answering: nothing was written."""


class CustomerChanged(Exception):
    """Someone saved the customer since the version the writer started from."""


class StoreUnavailable(Exception):
    """The service's own store does not answer (the graph): the caller says so, and retries later."""


class Customers(Protocol):
    def get(self, customer_id: int) -> dict[str, Any]: ...  # CustomerMissing; copies a legacy customer first
    def contracts(self, customer_id: int) -> list[dict[str, Any]]: ...
    def covering(self, customer_id: int, product_id: int, day: dt.date) -> dict[str, Any] | None: ...
    def covered_products(self, customer_id: int, day: dt.date) -> list[dict[str, Any]]: ...
    def search(self, words: str, limit: int) -> list[dict[str, Any]]: ...  # those held
    def update_contact(self, customer_id: int, contact: dict[str, str], *, expected_version: int, by: str,
                       now: dt.datetime) -> dict[str, Any]: ...  # CustomerChanged, CustomerMissing
    def behind_legacy(self, limit: int) -> list[dict[str, Any]]: ...
    def written_back(self, customer_id: int, version: int) -> None: ...


class Catalogue(Protocol):
    def products(self) -> list[dict[str, Any]]: ...
    def plans(self) -> list[dict[str, Any]]: ...
    def locales(self) -> list[dict[str, Any]]: ...


class LegacyCustomers(Protocol):
    """The monolith's customer rows, kept current for old readers (and for a rollback)."""

    def write_back_contact(self, customer_id: int, contact: dict[str, Any]) -> dict[str, Any]: ...
