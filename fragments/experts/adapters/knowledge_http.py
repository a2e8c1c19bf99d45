"""The knowledge service's API, called as the acting expert (what fixes this ticket; an article)."""
from __future__ import annotations

from typing import Any

from foundation.exchange import ExchangeClient
from foundation.tokens import Principal

from ..services.ports import KnowledgeError
from .as_user import UserApi


class KnowledgeHttp:
    def __init__(self, base_url: str, exchange: ExchangeClient, *, timeout: float = 5.0):
        self.api = UserApi(base_url, "knowledge", KnowledgeError, exchange, timeout=timeout)

    def acting_as(self, principal: Principal) -> "BoundKnowledge":
        return BoundKnowledge(self.api, principal)


class BoundKnowledge:
    def __init__(self, api: UserApi, principal: Principal):
        self.api = api
        self.principal = principal

    def for_ticket(self, product_id: int, description: str, exclude: set[int], limit: int) -> list[dict[str, Any]]:
        params = {"product_id": product_id, "q": description[:2000], "limit": limit,
                  "exclude": ",".join(str(i) for i in sorted(exclude)) or None}
        return self.api.call(self.principal, "", "GET", "/articles/for-ticket", params=params)["items"]

    def article(self, article_id: int) -> dict[str, Any]:
        return self.api.call(self.principal, "", "GET", f"/articles/{article_id}")
