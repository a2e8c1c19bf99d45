"""What the notifications use cases need from outside: where messages are kept, who the recipients are
and how they like to be reached, and the channels. The graph adapters and the in-memory fakes of the
fast tests both satisfy them (one contract suite, tests/notifications/test_contract.py)."""
from __future__ import annotations

import builtins
import datetime as dt
from typing import Callable, Protocol

from ..domain.alerts import StaffAlert
from ..domain.messages import Category, Channel, Message, Recipient, State
from ..domain.routing import Contact

Clock = Callable[[], dt.datetime]


class NotificationsStoreError(Exception):
    """The store could not do what was asked: nothing was changed."""


class MessageNotFound(NotificationsStoreError):
    pass


class RecipientUnknown(Exception):
    """No such customer or expert (the owner of people's records says so)."""


class RecipientUnavailable(Exception):
    """Who the recipient is cannot be known now (the owner of their record does not answer, and no copy
    is kept here yet): the message waits."""


class DeliveryError(Exception):
    """A channel did not take the message. `permanent`: it never will for this address."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Messages(Protocol):
    # Stored before returning; per message the one stored under its key and whether it is new.
    def add(self, messages: list[Message]) -> list[tuple[Message, bool]]: ...
    def get(self, message_id: str) -> Message: ...  # MessageNotFound
    def by_keys(self, keys: list[str]) -> dict[str, Message]: ...
    # Due queued messages, each leased to the caller until `until` (no other claim gets it meanwhile),
    # only while `owner` sends the outbox's messages (the service; the legacy outbox after a rollback).
    def claim_due(self, now: dt.datetime, until: dt.datetime, limit: int,
                  owner: str = "notifications") -> builtins.list[Message]: ...
    def owner(self) -> str: ...  # who sends: "notifications" (also before any switch) or "legacy"
    def set_owner(self, owner: str) -> None: ...
    def save(self, message: Message) -> None: ...  # its state and history; ends the lease
    def list(self, *, recipient: Recipient | None = None, states: builtins.list[State] | None = None,
             limit: int = 100) -> builtins.list[Message]: ...  # newest first
    def count(self, states: builtins.list[State]) -> int: ...


class StaffAlerts(Protocol):
    def add(self, alerts: builtins.list[StaffAlert]) -> builtins.list[StaffAlert]: ...  # stored, keys given
    # Alerts raised in the monolith, by their keys ("legacy:<id>"): those not held yet stored; how many.
    def copy_legacy(self, alerts: builtins.list[StaffAlert]) -> int: ...
    def recent(self, limit: int) -> builtins.list[StaffAlert]: ...  # newest first
    def count(self, source: str) -> int: ...


class Recipients(Protocol):
    def contact(self, recipient: Recipient) -> Contact: ...  # RecipientUnknown, RecipientUnavailable
    def known(self, recipients: list[Recipient]) -> dict[str, Contact]: ...  # those with a copy here, no call out
    def set_preferences(self, recipient: Recipient, channel: Channel, opted_out: frozenset[Category]) -> Contact: ...


class LegacyOutbox(Protocol):
    """The monolith's outbox, which sends again what is handed back to it after a rollback."""

    # Per message key: the legacy outbox's reference, or None where it refused the message.
    def hand_back(self, messages: list[Message]) -> dict[str, str | None]: ...


class Channels(Protocol):
    # The channel's reference for the sent message; DeliveryError if it did not take it.
    def send(self, channel: Channel, address: str, message: Message) -> str: ...
