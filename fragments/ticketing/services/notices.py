"""Messages to customers and experts, handed to the notifications service, which stores each before
answering and sends it by the channel the person prefers (with the other as the fallback)."""
from __future__ import annotations

from typing import Any

from .ports import Notifier


def message(kind: str, person_id: int, *, key: str, category: str, subject: str, body: str) -> dict[str, Any]:
    """A message as the notifications service takes it, alone or in a batch (idempotent per `key`)."""
    return {"key": key, "category": category, "recipient": {"kind": kind, "id": person_id}, "subject": subject,
            "body": body}


def customer_message(customer_id: int, *, key: str, subject: str, body: str,
                     category: str = "confirmation") -> dict[str, Any]:
    return message("customer", customer_id, key=key, category=category, subject=subject, body=body)


class CustomerNotices:
    def __init__(self, notifier: Notifier):
        self.notifier = notifier

    def send(self, customer_id: int, *, key: str, subject: str, body: str, category: str = "confirmation") -> str | None:
        """Hand the message over and say by which channel it is planned ("" when not known yet; None:
        refused). NotificationsUnavailable when the service cannot take it: each caller decides whether
        that may wait."""
        return self.send_many([customer_message(customer_id, key=key, subject=subject, body=body,
                                                category=category)])[0]

    def send_many(self, messages: list[dict[str, Any]]) -> list[str | None]:
        """Several messages in one call; per message the channel planned for it ("" if the service does
        not know the person yet, or when a key already used for another text counts as sent), None where
        it was refused."""
        outcomes = self.notifier.send(messages) if messages else []
        return [(outcome["message"].get("planned_channel") or "") if "message" in outcome
                else ("" if outcome["status"] == 409 else None) for outcome in outcomes]
