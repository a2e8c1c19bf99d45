"""Sending what is due: claim (a lease, so two workers never send one message at once), route by the
recipient's preference with the other channel as the fallback, record the outcome.

A worker killed between the channel taking a message and the outcome being stored leaves a lease that
expires; the next claim sends it again. Delivery is therefore at least once, with at most one duplicate
per kill; every email carries a Message-ID made from the idempotency key (the same on every send), and
every SMS the key as its reference, so a receiver can drop the duplicate.
"""
from __future__ import annotations

import datetime as dt
import logging

from ..domain.messages import Message, Recipient, State
from ..domain.routing import route, wanted
from .ports import (
    Channels,
    Clock,
    DeliveryError,
    LegacyOutbox,
    Messages,
    NotificationsStoreError,
    Recipients,
    RecipientUnavailable,
    RecipientUnknown,
)

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=60)


class Delivery:
    def __init__(self, messages: Messages, recipients: Recipients, channels: Channels, clock: Clock,
                 lease: dt.timedelta = LEASE, legacy: LegacyOutbox | None = None):
        self.messages, self.recipients, self.channels, self.clock, self.lease = messages, recipients, channels, clock, lease
        self.hand_back = HandBack(messages, legacy, clock, lease) if legacy is not None else None

    def run_once(self, limit: int = 20) -> int:
        """Send up to `limit` due messages (or, after a rollback, hand them back to the monolith's
        outbox); how many were claimed."""
        now = self.clock()
        claimed = self.messages.claim_due(now, now + self.lease, limit)
        for message in claimed:
            self.deliver(message)
        return len(claimed) + (self.hand_back.run_once(limit) if self.hand_back is not None else 0)

    def deliver(self, message: Message) -> Message:
        now = self.clock()
        try:
            contact = self.recipients.contact(message.recipient)
        except RecipientUnknown as exc:
            message.give_up(str(exc), now)
            return self._save(message)
        except RecipientUnavailable as exc:
            message.attempt_failed(str(exc), now, outcome="waiting")
            return self._save(message)
        if not wanted(message, contact):
            message.state, message.next_attempt_at = State.SUPPRESSED, None
            return self._save(message)
        choices = route(message, contact)
        if not choices:
            message.give_up("no channel can reach this person: no usable email address or phone number", now)
            return self._save(message)
        trouble = []
        for channel, address in choices:
            try:
                reference = self.channels.send(channel, address, message)
            except DeliveryError as exc:
                trouble.append(f"{channel}: {exc}")
                if exc.permanent:
                    message.refused_by(channel, str(exc), now)
                continue
            message.sent(channel, address, reference, self.clock())
            return self._save(message)
        if not route(message, contact):  # every channel refused this person for good
            message.give_up("; ".join(trouble), now)
        else:
            message.attempt_failed("; ".join(trouble), now, channel=choices[0][0])
        return self._save(message)

    def _save(self, message: Message) -> Message:
        self.messages.save(message)
        if message.dead:
            log.warning("message %s to %s dead-lettered: %s", message.key, message.recipient.key,
                        message.history[-1].detail if message.history else "")
        return message

    def resend(self, message_id: str, by: str) -> Message:
        message = self.messages.get(message_id)
        message.resend(by, self.clock())
        self.messages.save(message)
        return message

    def receipt(self, message_id: str, delivered: bool, detail: str) -> bool:
        message = self.messages.get(message_id)
        if not message.receipt(delivered, detail, self.clock()):
            return False
        self.messages.save(message)
        return True


class HandBack:
    """After a rollback the monolith's outbox sends again: every queued message goes back to it, each
    once (claimed under a lease, handed back under its own key, idempotent there, then recorded)."""

    def __init__(self, messages: Messages, legacy: LegacyOutbox, clock: Clock, lease: dt.timedelta = LEASE):
        self.messages, self.legacy, self.clock, self.lease = messages, legacy, clock, lease

    def run_once(self, limit: int = 100) -> int:
        now = self.clock()
        claimed = self.messages.claim_due(now, now + self.lease, limit, owner="legacy")
        if not claimed:
            return 0
        references = self.legacy.hand_back(claimed)
        for message in claimed:
            reference = references.get(message.key)
            if reference is None:
                message.attempt_failed("the legacy outbox refused it", self.clock(), outcome="refused")
            else:
                message.returned(reference, self.clock())
            self.messages.save(message)
        return len(claimed)


class Outboxes:
    """What staff and customers read: the outbox, one person's messages, the dead letters."""

    def __init__(self, messages: Messages):
        self.messages = messages

    def recent(self, states: list[State] | None = None, limit: int = 100) -> list[Message]:
        return self.messages.list(states=states, limit=limit)

    def of(self, recipient: Recipient, limit: int = 50) -> list[Message]:
        return self.messages.list(recipient=recipient, limit=limit)

    def get(self, message_id: str) -> Message:
        return self.messages.get(message_id)

    def counts(self) -> dict[str, int]:
        try:
            return {state: self.messages.count([state]) for state in State}
        except NotificationsStoreError:
            return {}
