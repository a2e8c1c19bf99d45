"""Messages to customers, by the channel each prefers. The monolith keeps the preference, so it
resolves the channel ("preferred") and says which it took: no customer read here."""
from __future__ import annotations

from typing import Any

from bridge_client import notification_request

from .ports import BridgeClient


def customer_message(customer_id: int, *, key: str, subject: str, body: str) -> dict[str, Any]:
    """The message as the bridge takes it, alone or in a batch (idempotent per `key`)."""
    return notification_request(idempotency_key=key, channel="preferred", recipient_kind="customer",
                                recipient_id=customer_id, subject=subject, body=body)


class CustomerNotices:
    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def send(self, customer_id: int, *, key: str, subject: str, body: str) -> str | None:
        """Queue the message and say by which channel (None: the monolith refused it). BridgeError when the
        monolith cannot be reached: each caller decides whether that may wait."""
        return self.send_many([customer_message(customer_id, key=key, subject=subject, body=body)])[0]

    def send_many(self, messages: list[dict[str, Any]]) -> list[str | None]:
        """Queue several messages in one call; per message the channel it went by, or None where the
        monolith refused it (no such customer). A key already used for another text counts as sent ("":
        a message under that key went out, by a channel not said here)."""
        outcomes = self.bridge.notify_many(messages) if messages else []
        return [outcome["notification"]["channel"] if "notification" in outcome
                else ("" if outcome["status"] == 409 else None) for outcome in outcomes]
