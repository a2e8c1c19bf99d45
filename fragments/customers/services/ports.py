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
    # The customer and their contracts in one read (CustomerMissing; copies a legacy customer first).
    def with_contracts(self, customer_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]: ...
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


class BillMissing(Exception):
    """No such bill (or not this customer's)."""


class Bills(Protocol):
    """Monthly bills, their payments, customers' payment methods and the billing runs (domain/billing.py)."""

    # Contracts in force at some day of [first, last], after `after_id` in id order, a page: id, customer_id,
    # plan_id, start_date, end_date, status.
    def contracts_in_force(self, first: dt.date, last: dt.date, after_id: int, limit: int) -> list[dict[str, Any]]: ...
    def prices(self) -> dict[int, list[dict[str, Any]]]: ...  # per plan, its monthly price versions
    def price_changed(self, plan_id: int, versions: list[dict[str, Any]]) -> None: ...
    def add_bills(self, bills: list[dict[str, Any]]) -> int: ...  # create-only by key; how many were new
    def start_run(self, month: str, now: dt.datetime) -> dict[str, Any]: ...  # the month's run, started or resumed
    def finish_run(self, month: str, billed: int, now: dt.datetime) -> dict[str, Any]: ...
    def run(self, month: str) -> dict[str, Any] | None: ...
    def bills_of(self, customer_id: int) -> list[dict[str, Any]]: ...  # newest first, each with its payments
    def bill(self, key: str) -> dict[str, Any]: ...  # BillMissing
    # Create-only by the payment's key (a repeated submit pays once); False if that key paid already.
    # Refused (False) too when the bill is cancelled or the payment would take more than is owed.
    def add_payment(self, bill_key: str, payment: dict[str, Any]) -> bool: ...
    def payment(self, key: str) -> dict[str, Any] | None: ...
    def cancel(self, bill_key: str, by: str, now: dt.datetime) -> bool: ...  # False: paid on, or cancelled already
    def bills_in(self, months: list[str]) -> list[dict[str, Any]]: ...  # for the financial report
    def methods_of(self, customer_id: int) -> list[dict[str, Any]]: ...
    def add_method(self, customer_id: int, method: dict[str, Any]) -> dict[str, Any]: ...


class PaymentDeclined(Exception):
    """The payment gateway refused the card or the charge."""


class PaymentGateway(Protocol):
    """What takes the money (outside: a local stand-in here, adapters/payment_gateway.py). Card details go
    to it and never into our stores; it answers a token and the last four digits."""

    def register_card(self, number: str, expiry_month: int, expiry_year: int) -> dict[str, str]: ...  # token, last4, brand
    # Idempotent by `key`: the same key charges once. Answers the gateway's reference.
    def charge(self, token: str, amount_cents: int, key: str) -> str: ...
    def refund(self, reference: str) -> None: ...  # a charge that could not be recorded is given back
