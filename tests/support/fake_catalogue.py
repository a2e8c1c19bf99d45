"""The reports' Catalogue port as a test sets it: the names of products, locales and plans (the customers
service's published catalogue in production)."""
from __future__ import annotations

from typing import Any

from bridge_client import BridgeError


class FakeCatalogue:
    def __init__(self, products: list[dict[str, Any]] | None = None, locales: list[dict[str, Any]] | None = None,
                 plans: list[dict[str, Any]] | None = None):
        self.product_list = list(products or [])
        self.locale_list = list(locales or [])
        self.plan_list = list(plans or [])
        self.down = False

    @classmethod
    def of(cls, bridge: Any) -> "FakeCatalogue":
        """The names a fake bridge was given (the monolith's catalogue, as the customers service copies it)."""
        return cls(bridge.product_list, bridge.locale_list, getattr(bridge, "plan_list", []))

    def _check(self) -> None:
        if self.down:
            raise BridgeError("the catalogue cannot be read")

    def products(self) -> list[dict[str, Any]]:
        self._check()
        return list(self.product_list)

    def product_names(self, product_ids: list[int]) -> dict[int, str]:
        self._check()
        return {p["id"]: p["name"] for p in self.product_list if p["id"] in product_ids}

    def locales(self) -> list[dict[str, Any]]:
        self._check()
        return list(self.locale_list)

    def plans(self) -> list[dict[str, Any]]:
        self._check()
        return list(self.plan_list)
