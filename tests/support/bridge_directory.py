"""The experts fragment's Directory port over a (fake) monolith's bridge, for the fragment's own tests:
customers and the catalogue as the bridge's v1 routes serve them, errors as the port declares."""
from __future__ import annotations

from typing import Any

from bridge_client import BridgeClient, BridgeError
from fragments.experts.services.ports import CustomersUnavailable


def _translated(read):
    try:
        return read()
    except BridgeError as exc:
        raise CustomersUnavailable(str(exc)) from exc


class BridgeDirectory:
    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def get_customer(self, customer_id: int) -> dict[str, Any]:
        return _translated(lambda: self.bridge.get_customer(customer_id))

    def products(self) -> list[dict[str, Any]]:
        return _translated(self.bridge.products)

    def locales(self) -> list[dict[str, Any]]:
        return _translated(self.bridge.locales)
