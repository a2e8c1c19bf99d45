"""What the report use cases need from the outside world: rows from the stores, names from the catalogue."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

from bridge_client import BridgeClient, BridgeError

Clock = Callable[[], dt.datetime]


class Catalogue(Protocol):
    """Products' and locales' names (the customers service's, ADR 0025); BridgeError if unavailable."""

    def products(self) -> list[dict[str, Any]]: ...
    def locales(self) -> list[dict[str, Any]]: ...
    def plans(self) -> list[dict[str, Any]]: ...


class TermsUnavailable(Exception):
    """The plans or contracts cannot be read now (the customers service or its store is not answering)."""


class PlanTerms(Protocol):
    """What each plan promises and which plan a contract holds (the customers service's, promises_v1)."""

    def contract_plans(self, contracts: dict[int, int | None]) -> dict[int, dict[str, Any]]:
        """{contract id: {"plan_id", "start_date"}} for {contract id: its customer's id}; TermsUnavailable."""

    def every_plan_terms(self) -> dict[int, list[dict[str, Any]]]: ...
    def regions(self) -> dict[int, str | None]:
        """Each locale's region (which public holidays apply)."""

    def public_holidays(self, region: str | None) -> list[str]: ...


class ReportSource(Protocol):
    def tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """The graph's tickets raised on the days first..last (both included)."""

    def tickets_changed(self, day: dt.date, since: int) -> tuple[list[dict[str, Any]], int]:
        """The graph's tickets raised on `day` written since its version `since` (each with its
        `report_version`), and how many tickets the day holds now."""

    def legacy_tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """The tickets raised on those days that only the legacy system holds."""

    def day_summaries(self, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, Any]]:
        """The kept per-day summaries: {day: {"version": int, "summary": text or None if not current}}."""

    def keep_day_summaries(self, days: list[tuple[dt.date, int, str]]) -> int:
        """Keep (day, version read, summary text) where the day's version is still the one read."""

    def stale_days(self, limit: int) -> dict[dt.date, int]:
        """Up to `limit` days whose tickets changed since their summary was kept: {day: version read}."""

    def waiting(self, now: dt.datetime, limit: int | None = None) -> list[dict[str, Any]]:
        """Tickets waiting for an expert now, longest waiting first (the first `limit`)."""

    def waiting_count(self, now: dt.datetime) -> int: ...
    def legacy_as_of(self) -> dt.datetime | None:
        """When the legacy system's part of the last figures was read, if it did not answer now (else None)."""

    def lost(self, visible: list[str]) -> list[dict[str, Any]]: ...
    def experts(self, now: dt.datetime) -> list[dict[str, Any]]: ...
    def migration(self) -> dict[str, Any]: ...
    def last_reconciliation(self) -> dict[str, Any] | None: ...


__all__ = ["BridgeClient", "BridgeError", "Clock", "PlanTerms", "ReportSource", "TermsUnavailable"]
