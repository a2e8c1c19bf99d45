"""The ticketing back end over HTTP, called as the acting expert: with the user token the shell minted
for this request (valid for ticketing too, ADR 0008), and the browser's CSRF token on every change.
This fragment holds no key that could name a user."""
from __future__ import annotations

from typing import Any

import requests

from foundation.request_ids import forwarded
from foundation.tokens import Principal

from ..services.ports import TicketingError


def _field_errors(errors: Any) -> dict[str, str] | None:
    """The problem body's [{field, message}] list as {field: message}."""
    if not isinstance(errors, list):
        return None
    return {e["field"]: e["message"] for e in errors
            if isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)} or None


class TicketingHttp:
    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def acting_as(self, principal: Principal, csrf: str) -> "BoundTicketing":
        return BoundTicketing(self, principal, csrf)


class BoundTicketing:
    def __init__(self, client: TicketingHttp, principal: Principal, csrf: str):
        self.client = client
        self.principal = principal
        self.csrf = csrf

    def _call(self, method: str, path: str, payload: dict | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.principal.token}", **forwarded()}
        if method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        try:
            response = self.client.http.request(method, self.client.base + path, json=payload, headers=headers,
                                                timeout=(1.0, self.client.timeout))
        except requests.RequestException as exc:
            raise TicketingError(f"the ticketing service is not answering ({exc.__class__.__name__})", 503) from exc
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            raise TicketingError(problem.get("detail") or response.reason, response.status_code,
                                 _field_errors(problem.get("errors")))
        return response.json()

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
