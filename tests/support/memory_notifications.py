"""The notifications ports in memory, for the fast tests: messages, recipients, channels that record
what they were handed and fail on demand. The graph adapters pass the same contract suite
(tests/graph/test_notifications_contract.py)."""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import replace
from typing import Any

from fragments.notifications.domain.messages import Category, Channel, Message, Recipient, State
from fragments.notifications.domain.routing import Contact
from fragments.notifications.services.ports import DeliveryError, MessageNotFound, RecipientUnavailable, RecipientUnknown


class MemoryMessages:
    def __init__(self):
        self.rows: dict[str, Message] = {}  # by key
        self.leases: dict[str, dt.datetime] = {}
        self.lock = threading.Lock()
        self.sender = "notifications"

    def owner(self) -> str:
        return self.sender

    def set_owner(self, owner: str) -> None:
        self.sender = owner

    def add(self, messages: list[Message]) -> list[tuple[Message, bool]]:
        out = []
        with self.lock:
            for m in messages:
                if m.key in self.rows:
                    out.append((self.rows[m.key].copy(), False))
                    continue
                m.id = m.id or uuid.uuid4().hex[:16]
                self.rows[m.key] = m.copy()
                out.append((m.copy(), True))
        return out

    def get(self, message_id: str) -> Message:
        for m in self.rows.values():
            if m.id == message_id:
                return m.copy()
        raise MessageNotFound(f"no message {message_id}")

    def by_keys(self, keys: list[str]) -> dict[str, Message]:
        return {k: self.rows[k].copy() for k in keys if k in self.rows}

    def claim_due(self, now: dt.datetime, until: dt.datetime, limit: int, owner: str = "notifications") -> list[Message]:
        with self.lock:
            if owner != self.sender:
                return []
            due = sorted((m for m in self.rows.values() if m.state == State.QUEUED and m.next_attempt_at is not None
                          and m.next_attempt_at <= now and self.leases.get(m.key, now - dt.timedelta(1)) < now),
                         key=lambda m: (m.next_attempt_at, m.created_at))[:limit]
            for m in due:
                self.leases[m.key] = until
            return [m.copy() for m in due]

    def save(self, message: Message) -> None:
        with self.lock:
            if message.key not in self.rows:
                raise MessageNotFound(message.id)
            self.rows[message.key] = message.copy()
            self.leases.pop(message.key, None)

    def list(self, *, recipient: Recipient | None = None, states: list[State] | None = None,
             limit: int = 100) -> list[Message]:
        found = [m for m in self.rows.values() if (recipient is None or m.recipient == recipient)
                 and (not states or m.state in states)]
        return [m.copy() for m in sorted(found, key=lambda m: (m.created_at, m.id), reverse=True)[:limit]]

    def count(self, states: list[State]) -> int:
        return sum(1 for m in self.rows.values() if m.state in states)


class MemoryRecipients:
    def __init__(self):
        self.people: dict[str, Contact] = {}
        self.copied: set[str] = set()
        self.unavailable = False  # the owner of people's records does not answer

    def person(self, recipient: Recipient, contact: Contact) -> None:
        """A person as the monolith knows them (copied here on first need)."""
        self.people[recipient.key] = contact

    def known(self, recipients: list[Recipient]) -> dict[str, Contact]:
        return {r.key: self.people[r.key] for r in recipients if r.key in self.copied}

    def contact(self, recipient: Recipient) -> Contact:
        if recipient.key not in self.people:
            raise RecipientUnknown(f"no {recipient.kind} {recipient.id}")
        if self.unavailable and recipient.key not in self.copied:
            raise RecipientUnavailable("the monolith is not answering")
        self.copied.add(recipient.key)
        return self.people[recipient.key]

    def set_preferences(self, recipient: Recipient, channel: Channel, opted_out: frozenset[Category]) -> Contact:
        self.people[recipient.key] = replace(self.contact(recipient), preferred=channel, opted_out=opted_out)
        return self.people[recipient.key]


class RecordingChannels:
    """Takes every message and records it, unless told that a channel refuses an address for good
    (`refuse`) or fails for now (`down`)."""

    def __init__(self):
        self.sent: list[tuple[Channel, str, Message]] = []
        self.refuse: set[str] = set()  # addresses
        self.down: set[Channel] = set()

    def send(self, channel: Channel, address: str, message: Message) -> str:
        if address in self.refuse:
            raise DeliveryError(f"{address} refused", permanent=True)
        if channel in self.down:
            raise DeliveryError(f"{channel} not answering")
        self.sent.append((channel, address, message.copy()))
        return f"{channel}:{message.key}"

    def texts(self, key: str) -> list[tuple[Channel, str]]:
        return [(c, a) for c, a, m in self.sent if m.key == key]


class MemoryStaffAlerts:
    """The StaffAlerts port in memory (the graph's: fragments/notifications/adapters/alerts.py)."""

    def __init__(self):
        self.held: dict[str, Any] = {}
        self._lock = threading.Lock()

    def add(self, alerts):
        with self._lock:
            keyed = [replace(a, key=a.key or f"alert:{uuid.uuid4().hex}") for a in alerts]
            self.held.update({a.key: a for a in keyed})
            return keyed

    def copy_legacy(self, alerts) -> int:
        with self._lock:
            new = [a for a in alerts if a.key not in self.held]
            self.held.update({a.key: a for a in new})
            return len(new)

    def recent(self, limit):
        with self._lock:
            return sorted(self.held.values(), key=lambda a: (a.raised_at, a.key), reverse=True)[:limit]

    def count(self, source) -> int:
        with self._lock:
            return sum(1 for a in self.held.values() if a.source == source)
