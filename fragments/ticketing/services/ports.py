"""What the use cases need from the outside world. Adapters (graph_store, the bridge client) and the
in-memory fakes of the fast tests both satisfy these."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

from bridge_api.client import BridgeClient

Clock = Callable[[], dt.datetime]


class TicketStore(Protocol):
    def create(self, *, customer_id: int, contract_id: int, product_id: int, locale_id: int, description: str,
               slots: list[str], channel: str, actor: str, now: dt.datetime) -> int: ...
    def get(self, ticket_id: int) -> dict[str, Any]: ...  # migrates a legacy ticket on first read
    def update(self, ticket_id: int, *, changes: dict[str, Any], actor: str, action: str, detail: str,
               now: dt.datetime, expected_revision: int | None = None) -> int: ...
    def list(self, *, customer_id: int | None = None, expert_id: int | None = None,
             statuses: list[str] | None = None, limit: int = 100) -> list[dict[str, Any]]: ...
    def candidates(self, *, product_id: int, locale_id: int, slots: list[dt.datetime], now: dt.datetime,
                   exclude: list[int]) -> list[dict[str, Any]]: ...
    def offer(self, *, ticket_id: int, expert_id: int, starts_at: str, now: dt.datetime,
              expires_at: dt.datetime) -> None: ...
    def close_offer(self, *, ticket_id: int, expert_id: int, starts_at: str, outcome: str, actor: str,
                    now: dt.datetime, reason: str = "") -> bool: ...
    def due_offers(self, now: dt.datetime, limit: int = 100) -> list[dict[str, Any]]: ...
    def release_booking(self, *, expert_id: int, starts_at: str, ticket_id: int) -> bool: ...
    def needing_follow_up(self, created_before: dt.datetime, limit: int = 100) -> list[int]: ...


__all__ = ["BridgeClient", "Clock", "TicketStore"]
