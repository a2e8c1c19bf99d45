"""The notifications service over HTTP, called as the ticketing service (a service token signed with
ticketing's own key for the audience `fragment:notifications`), in batches of at most 100: messages to
send, and staff alerts to keep (ADR 0036)."""
from __future__ import annotations

from typing import Any, Callable

import requests

from foundation.request_ids import forwarded

from ..services.ports import NotificationsUnavailable

BATCH = 100


class NotificationsHttp:
    def __init__(self, base_url: str, token: Callable[[], str], *, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/api/v1/messages/batch"
        self.alerts_url = base_url.rstrip("/") + "/api/v1/staff-alerts"
        self.token, self.timeout = token, timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def send(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        outcomes: list[dict[str, Any]] = []
        for start in range(0, len(messages), BATCH):
            outcomes += self._post(messages[start:start + BATCH])
        return outcomes

    def raise_alerts(self, alerts: list[dict[str, Any]]) -> None:
        for start in range(0, len(alerts), BATCH):
            self._post(alerts[start:start + BATCH], self.alerts_url, expected=201)

    def _post(self, items: list[dict[str, Any]], url: str | None = None, expected: int = 200) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token()}", **forwarded()}
        try:
            answer = self.http.post(url or self.url, json={"items": items}, headers=headers,
                                    timeout=(1.0, self.timeout))
        except requests.RequestException as exc:
            raise NotificationsUnavailable(f"the notifications service is not answering ({exc.__class__.__name__})"
                                           ) from exc
        if answer.status_code != expected:
            raise NotificationsUnavailable(f"the notifications service answered {answer.status_code}: "
                                           f"{answer.text[:300]}")
        return answer.json()["items"]

    def close(self) -> None:
        self.http.close()
