"""Whether a customer or an expert exists, read through what their services publish (customers_v1,
profiles_v1): an account is linked only to someone who is there."""
from __future__ import annotations

from fragments.customers.published.customers_v1 import CustomerRows
from fragments.experts.published import profiles_v1
from graph_store.backends import GraphBackend, GraphUnavailable

from ..services.ports import StoreUnavailable


class PublishedDirectory:
    def __init__(self, backend: GraphBackend):
        self.db = backend
        self.customers = CustomerRows(backend)

    def customer_known(self, customer_id: int) -> bool:
        try:
            return self.customers.customer(customer_id) is not None
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    def expert_known(self, expert_id: int) -> bool:
        try:
            return profiles_v1.contact(self.db, expert_id) is not None
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
