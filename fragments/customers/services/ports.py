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


class RecordChanged(CustomerChanged):
    """A catalogue record was saved by someone else since the version the form showed."""


class RecordMissing(CustomerMissing):
    """No such product, plan or locale (or it was retired)."""


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
    def products(self) -> list[dict[str, Any]]: ...  # those sold now (not retired)
    def product_names(self, product_ids: list[int]) -> dict[int, str]: ...  # these, retired ones too
    def plans(self) -> list[dict[str, Any]]: ...
    def locales(self) -> list[dict[str, Any]]: ...


KINDS = ("products", "plans", "locales")


class CatalogueAdmin(Protocol):
    """The catalogue as admins keep it: every record (retired ones too, with `retired`), each with a
    `version` a change must name; new records get ids above every legacy id (they never collide)."""

    def records(self, kind: str) -> list[dict[str, Any]]: ...
    def record(self, kind: str, record_id: int) -> dict[str, Any]: ...  # RecordMissing
    def create(self, kind: str, content: dict[str, Any], *, by: str, now: dt.datetime) -> dict[str, Any]: ...
    def update(self, kind: str, record_id: int, content: dict[str, Any], *, expected_version: int, by: str,
               now: dt.datetime) -> dict[str, Any]: ...  # RecordChanged, RecordMissing
    def retire(self, kind: str, record_id: int, *, by: str, now: dt.datetime) -> dict[str, Any]: ...
    def set_terms(self, plan_id: int, terms: list[dict[str, Any]], *, expected_version: int, by: str,
                  now: dt.datetime) -> dict[str, Any]: ...  # RecordChanged
    def terms(self, plan_id: int) -> list[dict[str, Any]]: ...  # oldest first
    def behind_legacy(self, limit: int) -> list[tuple[str, dict[str, Any]]]: ...  # (kind, record)
    def written_back(self, kind: str, record_id: int, version: int) -> None: ...
    def customers_in(self, locale_id: int) -> int: ...


class Contracts(Protocol):
    """Plans sold to customers (each contract held by its customer)."""

    def add(self, customer_id: int, content: dict[str, Any], *, by: str, now: dt.datetime) -> dict[str, Any]: ...
    def unwritten(self, limit: int) -> list[dict[str, Any]]: ...  # not yet in the legacy database
    def written_back(self, contract_id: int) -> None: ...


class OpenWork(Protocol):
    """What ticketing publishes of the work still open (a product with open tickets is not retired)."""

    def open_tickets_about(self, product_id: int) -> int: ...


class LegacyCustomers(Protocol):
    """The monolith's customer rows, kept current for old readers (and for a rollback)."""

    def write_back_contact(self, customer_id: int, contact: dict[str, Any]) -> dict[str, Any]: ...
    def write_back_record(self, kind: str, record_id: int, content: dict[str, Any]) -> dict[str, Any]: ...
