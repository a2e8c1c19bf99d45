"""The ticketing back end over HTTP, called as the acting expert: with a token for ticketing traded for
the one the shell minted for this request (ADR 0031), and the browser's CSRF token on every change.
This fragment holds no key that could name a user."""
from __future__ import annotations

from typing import Any

from foundation.exchange import ExchangeClient
from foundation.tokens import Principal

from ..services.ports import TicketingError
from .as_user import UserApi


class TicketingHttp:
    def __init__(self, base_url: str, exchange: ExchangeClient, *, timeout: float = 10.0):
        self.api = UserApi(base_url, "ticketing", TicketingError, exchange, timeout=timeout)

    def acting_as(self, principal: Principal, csrf: str) -> "BoundTicketing":
        return BoundTicketing(self.api, principal, csrf)


class BoundTicketing:
    def __init__(self, api: UserApi, principal: Principal, csrf: str):
        self.api = api
        self.principal = principal
        self.csrf = csrf

    def _call(self, method: str, path: str, payload: dict | None = None) -> Any:
        return self.api.call(self.principal, self.csrf, method, path, payload)

    def my_tickets(self) -> list[dict[str, Any]]:
        return self._call("GET", "/tickets")["items"]

    def get(self, ticket_id: int) -> dict[str, Any]:
        return self._call("GET", f"/tickets/{ticket_id}")

    def accept(self, ticket_id: int) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/accept", {})

    def refuse(self, ticket_id: int, reason: str) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/refuse", {"reason": reason})

    def add_note(self, ticket_id: int, note: str) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/notes", {"note": note})

    def attach_article(self, ticket_id: int, article_id: int) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/articles", {"article_id": article_id})

    def articles(self, ticket_id: int) -> list[dict[str, Any]]:
        return self._call("GET", f"/tickets/{ticket_id}/articles")["items"]

    def close(self, ticket_id: int, resolution: str) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/close", {"resolution": resolution})

    def on_my_way(self, ticket_id: int) -> dict[str, Any]:
        return self._call("POST", f"/tickets/{ticket_id}/on-my-way", {})
