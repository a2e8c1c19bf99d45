"""Messages to customers, by the channel each prefers: the one place that decides which."""
from __future__ import annotations

from typing import Any

from .ports import BridgeClient


def preferred_channel(customer: dict[str, Any]) -> str:
    return "sms" if customer.get("notification_preference") == "sms" else "email"


class CustomerNotices:
    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def send(self, customer_id: int, *, key: str, subject: str, body: str,
             customer: dict[str, Any] | None = None) -> str:
        """Queue the message (idempotent per `key`) and say by which channel. BridgeError when the
        monolith cannot be reached: each caller decides whether that may wait."""
        channel = preferred_channel(customer or self.bridge.get_customer(customer_id))
        self.bridge.notify(idempotency_key=key, channel=channel, recipient_kind="customer", recipient_id=customer_id,
                           subject=subject, body=body)
        return channel
