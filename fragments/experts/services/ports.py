"""What the experts' use cases need. The ticketing port is bound to the acting expert: every call is
made as that expert, so the ticketing service applies its own ownership rules too."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

from bridge_client import BridgeClient

Clock = Callable[[], dt.datetime]


class ServiceError(Exception):
    """Another service's answer to a call made as the expert: its HTTP status and field messages."""

    def __init__(self, message: str, status: int, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or {}


class TicketingError(ServiceError):
    pass


class Ticketing(Protocol):
    def my_tickets(self) -> list[dict[str, Any]]: ...
    def get(self, ticket_id: int) -> dict[str, Any]: ...
    def accept(self, ticket_id: int) -> dict[str, Any]: ...
    def refuse(self, ticket_id: int, reason: str) -> dict[str, Any]: ...
    def add_note(self, ticket_id: int, note: str) -> dict[str, Any]: ...
    def attach_article(self, ticket_id: int, article_id: int) -> dict[str, Any]: ...
    def articles(self, ticket_id: int) -> list[dict[str, Any]]: ...
    def close(self, ticket_id: int, resolution: str) -> dict[str, Any]: ...
    def on_my_way(self, ticket_id: int) -> dict[str, Any]: ...


class KnowledgeError(ServiceError):
    pass


class Knowledge(Protocol):
    """The knowledge base as the acting expert reads it."""

    def for_ticket(self, product_id: int, description: str, exclude: set[int], limit: int) -> list[dict[str, Any]]: ...
    def article(self, article_id: int) -> dict[str, Any]: ...  # steps as a list


class CustomersUnavailable(Exception):
    """The customers service's records cannot be read now."""


class Directory(Protocol):
    """Customers and the catalogue, as the customers service publishes them (ADR 0025)."""

    def get_customer(self, customer_id: int) -> dict[str, Any]: ...  # CustomersUnavailable
    def products(self) -> list[dict[str, Any]]: ...
    def locales(self) -> list[dict[str, Any]]: ...


class ProfileStore(Protocol):
    def get(self, expert_id: int) -> dict[str, Any] | None: ...
    def set_skills(self, expert_id: int, skills: list[dict[str, Any]]) -> None: ...
    def set_locales(self, expert_id: int, locale_ids: list[int]) -> None: ...
    def set_availability(self, expert_id: int, weekly: list[str], off: list[str]) -> None: ...


class RosterStore(Protocol):
    """Every expert's profile, as admins keep it; new experts get ids above every legacy id."""

    def everyone(self) -> list[dict[str, Any]]: ...
    def create(self, contact: dict[str, str], skills: list[dict[str, Any]], locale_ids: list[int], weekly: list[str],
               *, hired_on: str) -> dict[str, Any]: ...
    def set_active(self, expert_id: int, active: bool) -> dict[str, Any]: ...  # KeyError if unknown
    def written_back(self, expert_id: int) -> None: ...


__all__ = ["BridgeClient", "Clock", "Knowledge", "KnowledgeError", "ProfileStore", "RosterStore", "Ticketing", "TicketingError"]
