"""Another service's JSON API called as the acting expert: with a token meant for that service alone,
traded at the issuer for the user token the shell minted for this request (ADR 0031), and the browser's
CSRF token on every change. This fragment holds no key that could name a user."""
from __future__ import annotations

from typing import Any

import requests

from foundation import resend
from foundation.exchange import ExchangeClient, ExchangeUnavailable
from foundation.request_ids import forwarded
from foundation.tokens import Principal


def _field_errors(errors: Any) -> dict[str, str] | None:
    """The problem body's [{field, message}] list as {field: message}."""
    if not isinstance(errors, list):
        return None
    return {e["field"]: e["message"] for e in errors
            if isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)} or None


class UserApi:
    def __init__(self, base_url: str, name: str, error: type, exchange: ExchangeClient, *, timeout: float = 10.0):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.name = name
        self.exchange = exchange
        self.error = error  # raised as error(message, status, field_errors)
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def call(self, principal: Principal, csrf: str, method: str, path: str, payload: dict | None = None,
             params: dict | None = None) -> Any:
        try:
            token = self.exchange.token_for(principal.token or "", f"fragment:{self.name}")
        except ExchangeUnavailable as exc:
            # Refused: this user may not act there (403); else the issuer is not answering (503).
            raise self.error(str(exc), 403 if exc.refused else 503) from exc
        headers = {"Authorization": f"Bearer {token}", **forwarded()}
        if method != "GET":
            headers["X-CSRF-Token"] = csrf
        try:
            response = resend.request(self.http, method, self.base + path, json=payload, params=params,
                                      headers=headers, timeout=(1.0, self.timeout))  # a GET once more if unanswered
        except requests.RequestException as exc:
            raise self.error(f"the {self.name} service is not answering ({exc.__class__.__name__})", 503) from exc
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            raise self.error(problem.get("detail") or response.reason, response.status_code,
                             _field_errors(problem.get("errors")))
        return response.json()
