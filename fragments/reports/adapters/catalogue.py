"""Products' and locales' names as the customers service publishes its catalogue (ADR 0025). A report
shows ids rather than fail when the names cannot be read: an empty list then."""
from __future__ import annotations

from typing import Any

from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable
from graph_store.errors import StoreError


class PublishedCatalogue:
    def __init__(self, reader: CustomerReader):
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
