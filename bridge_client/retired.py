"""The monolith once it is retired (docs/adr/0036): every part it held has moved to the service that owns
it, so it holds nothing any service needs, and it is not running.

`RetiredMonolith` stands where the bridge client stood, so the services' code keeps one shape in both
modes: what a service would ask the legacy system about answers "nothing there" (no such record, empty
lists, zero counts, every part handed over), and what a service would write to it (a write-back, a
hand-back, a staff alert) is refused at once with `Retired`, an `Unavailable`: a record changed since
stays marked as ahead of its legacy row, as it does while the monolith does not answer, so bringing the
monolith back (`sysops monolith-restore`, then each part's rollback) writes it back. Nothing is sent over
the network and nothing waits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from .client import NotFound, Unavailable


class Retired(Unavailable):
    """Asked to change something in a monolith that is retired."""


# Counts as the bridge's stats give them: nothing left in the monolith (`retired` says why).
NOTHING = {"total": 0, "frozen": 0, "migrated": 0, "remaining": 0, "retired": True}


class RetiredMonolith:
    """A `BridgeClient` for an installation whose monolith is retired."""

    retired = True

    def __init__(self, retired_at: str | None = None):
        self.retired_at = retired_at

    def close(self) -> None:
        pass

    def quiet(self) -> bool:
        return False

    # -- reads: the monolith holds nothing any more
    def _absent(self, what: str) -> NotFound:
        return NotFound(f"{what}: the monolith is retired; its records are held by the services", 404)

    def get_customer(self, customer_id: int) -> dict:
        raise self._absent(f"customer {customer_id}")

    def customer_contracts(self, customer_id: int) -> list[dict]:
        raise self._absent(f"customer {customer_id}")

    def coverage(self, customer_id: int, product_id: int, on: dt.date | None = None) -> dict:
        raise self._absent(f"customer {customer_id}")

    def products(self) -> list[dict]:
        return []

    def locales(self) -> list[dict]:
        return []

    def experts(self, product_id: int | None = None, locale_id: int | None = None) -> Iterator[dict]:
        return iter(())

    def get_expert(self, expert_id: int) -> dict:
        raise self._absent(f"expert {expert_id}")

    def legacy_ticket_ids(self, migrated: str = "any", page_size: int = 500,
                          statuses: tuple[str, ...] = ()) -> Iterator[int]:
        return iter(())

    def get_legacy_ticket(self, ticket_id: int) -> dict:
        raise self._absent(f"ticket {ticket_id}")

    def legacy_stats(self) -> dict:
        return {**NOTHING, "experts": 0}

    def get_legacy_tickets(self, ticket_ids: list[int]) -> list[dict]:
        return []

    def legacy_checksums(self, page_size: int = 500) -> Iterator[dict]:
        return iter(())

    def freeze_legacy_tickets(self, ticket_ids: list[int], reader: dict | None = None) -> list[dict]:
        return []

    def legacy_commitments(self, slots: list[str] = (), expert_id: int | None = None) -> list[int]:
        return []

    def legacy_report_rows(self, start: str, end: str) -> list[list]:
        return []

    def legacy_report_now(self, now: str) -> dict:
        return {"waiting": [], "loads": [], "surveys": []}

    def notification(self, notification_id: int) -> dict:
        raise self._absent(f"notification {notification_id}")

    def search_articles(self, q: str = "", product_id: int | None = None, limit: int = 10) -> list[dict]:
        return []

    def get_article(self, article_id: int) -> dict:
        raise self._absent(f"article {article_id}")

    def article_ids(self, migrated: str = "any") -> Iterator[int]:
        return iter(())

    def article_stats(self) -> dict:
        return dict(NOTHING)

    def freeze_articles(self, article_ids: list[int]) -> list[dict]:
        return []

    def staff_alerts(self) -> Iterator[dict]:
        return iter(())

    def outbox_owner(self) -> str:
        return "notifications"

    def outbox_switched_since(self) -> str | None:
        return self.retired_at or "retired"

    def outbox_ids(self, migrated: str = "any") -> Iterator[int]:
        return iter(())

    def outbox_stats(self) -> dict:
        return dict(NOTHING)

    def freeze_outbox(self, message_ids: list[int]) -> list[dict]:
        return []

    def outbox_checksums(self) -> Iterator[dict]:
        return iter(())

    def article_checksums(self, page_size: int = 500) -> Iterator[dict]:
        return iter(())

    def release_articles(self, article_ids: list[int]) -> None:
        if article_ids:
            raise self._refused("release articles")

    def handover_ids(self, kind: str, migrated: str = "any") -> Iterator[int]:
        return iter(())

    def handover_stats(self, kind: str) -> dict:
        return dict(NOTHING)

    def freeze_handover(self, kind: str, ids: list[int]) -> list[dict]:
        return []

    def handover_checksums(self, kind: str, page_size: int = 500) -> Iterator[dict]:
        return iter(())

    def account_named(self, username: str) -> int | None:
        return None

    # -- writes: refused, the caller keeps what it holds
    def _refused(self, what: str) -> Retired:
        return Retired(f"{what}: the monolith is retired", 503, {"kind": "monolith-retired"})

    def mark_migrated(self, ticket_id: int) -> dict:
        raise self._refused("mark a ticket")

    def mark_migrated_many(self, ticket_ids: list[int]) -> list[dict]:
        if ticket_ids:
            raise self._refused("mark tickets")
        return []

    def write_back(self, tickets: list[dict]) -> list[int]:
        raise self._refused("write tickets back")

    def notify(self, **_message: Any) -> dict:
        raise self._refused("queue a message in the legacy outbox")

    def notify_many(self, messages: list[dict]) -> list[dict]:
        raise self._refused("queue messages in the legacy outbox")

    def mark_articles_migrated(self, article_ids: list[int]) -> None:
        if article_ids:
            raise self._refused("mark articles")

    def publish_article(self, article_id: int, article: dict) -> dict:
        raise self._refused("write an article back")

    def raise_staff_alert(self, kind: str, message: str, ticket_reference: str | None = None) -> dict:
        raise self._refused("raise a staff alert in the legacy outbox")

    def raise_staff_alerts(self, alerts: list[dict]) -> list[dict]:
        raise self._refused("raise staff alerts in the legacy outbox")

    def set_outbox_owner(self, owner: str) -> None:
        raise self._refused("give the outbox back")

    def mark_outbox(self, message_ids: list[int]) -> None:
        if message_ids:
            raise self._refused("mark messages")

    def hand_back(self, messages: list[dict]) -> list[dict]:
        raise self._refused("hand messages back")

    def mark_handover(self, kind: str, ids: list[int]) -> None:
        if ids:
            raise self._refused(f"mark {kind}")

    def write_back_contact(self, customer_id: int, contact: dict) -> dict:
        raise self._refused("write a contact back")

    def write_back_record(self, kind: str, record_id: int, content: dict) -> dict:
        raise self._refused(f"write a {kind} record back")

    def release_handover(self, kind: str, ids: list[int]) -> None:
        raise self._refused(f"hand {kind} back")

    def write_back_expert(self, expert_id: int, record: dict) -> dict:
        raise self._refused("write an expert back")

    def write_back_account(self, account_id: int, account: dict) -> dict:
        raise self._refused("write an account back")
