"""Customers and the catalogue for the experts' pages, the Directory port, as the customers service
publishes them (ADR 0025: never the monolith while it is installed; its reader asks the monolith after a
rollback of the part, ADR 0026)."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable, CustomerUnknown
from graph_store.errors import StoreError

from ..services.ports import CustomersUnavailable as Unavailable

T = TypeVar("T")


def _translated(read: Callable[[], T], *errors: type[Exception]) -> T:
    try:
        return read()
    except errors as exc:
        raise Unavailable(str(exc)) from exc


class PublishedDirectory:
    def __init__(self, reader: CustomerReader):
        self.reader = reader

    def get_customer(self, customer_id: int) -> dict[str, Any]:
        errors = (CustomersUnavailable, CustomerUnknown, StoreError)
        return _translated(lambda: self.reader.customer(customer_id), *errors)

    def products(self) -> list[dict[str, Any]]:
        return _translated(self.reader.products, CustomersUnavailable, StoreError)

    def locales(self) -> list[dict[str, Any]]:
        return _translated(self.reader.locales, CustomersUnavailable, StoreError)
