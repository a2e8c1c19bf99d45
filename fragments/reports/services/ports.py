"""What the report use cases need from the outside world: rows from the stores, names from the monolith."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

from bridge_client import BridgeClient, BridgeError

Clock = Callable[[], dt.datetime]


class ReportSource(Protocol):
    def tickets_raised(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]: ...
    def waiting(self, now: dt.datetime) -> list[dict[str, Any]]: ...
    def lost(self, visible: list[str]) -> list[dict[str, Any]]: ...
    def experts(self, now: dt.datetime) -> list[dict[str, Any]]: ...
    def migration(self) -> dict[str, Any]: ...
    def last_reconciliation(self) -> dict[str, Any] | None: ...


__all__ = ["BridgeClient", "BridgeError", "Clock", "ReportSource"]
