"""The notifications service over HTTP, called as the identity service (a service token for the audience
`fragment:notifications`): a password link to a customer or an expert, sent as an alert (any hour, no
opting out: the person asked for it, or an admin opened their account)."""
from __future__ import annotations

from typing import Callable

import requests

from foundation.request_ids import forwarded

from ..services.ports import MessengerUnavailable


class NotificationsHttp:
    def __init__(self, base_url: str, token: Callable[[], str], *, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/api/v1/messages"
        self.token, self.timeout = token, timeout
        self.http = requests.Session()
        self.http.trust_env = False

    def send(self, kind: str, recipient_id: int, key: str, subject: str, body: str) -> None:
        message = {"key": key, "category": "alert", "recipient": {"kind": kind, "id": recipient_id},
                   "subject": subject, "body": body}
        try:
            answer = self.http.post(self.url, json=message, timeout=(1.0, self.timeout),
                                    headers={"Authorization": f"Bearer {self.token()}", **forwarded()})
        except requests.RequestException as exc:
            raise MessengerUnavailable(f"the notifications service is not answering ({exc.__class__.__name__})") from exc
        if answer.status_code not in (200, 202):
            raise MessengerUnavailable(f"the notifications service answered {answer.status_code}: {answer.text[:300]}")
