"""A message and its delivery: the states it moves through, what a failed attempt does to it.

queued -> sent (-> delivered | bounced, where the channel reports it); an attempt that fails is
retried with a growing pause; after MAX_ATTEMPTS, or when every channel refused the recipient for
good, the message is failed: the dead-letter list, which staff see and resend from. An optional
message to someone who opted out of its kind is suppressed: stored and shown, never sent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum

from foundation.invalid import InvalidFields

MAX_ATTEMPTS = 6
FIRST_PAUSE_S = 2
LONGEST_PAUSE_S = 300


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Category(StrEnum):
    """What a message is about: says whether it may wait for the morning and whether one may opt out."""
    CONFIRMATION = "confirmation"  # a ticket received, an appointment booked, moved or cancelled
    OFFER = "offer"                # a ticket offered to an expert, with a deadline
    ON_MY_WAY = "on_my_way"        # the expert is coming now
    REMINDER = "reminder"          # a visit tomorrow or this morning; an expert's day list
    SURVEY = "survey"              # how did we do
    ALERT = "alert"                # something a person must act on now

    @property
    def urgent(self) -> bool:
        """Sent at any hour; anything else waits out the recipient's quiet hours."""
        return self in (Category.CONFIRMATION, Category.OFFER, Category.ON_MY_WAY, Category.ALERT)

    @property
    def optional(self) -> bool:
        """A customer may opt out of it; the rest is part of the service they asked for."""
        return self in (Category.REMINDER, Category.SURVEY)


OPTIONAL = tuple(c for c in Category if c.optional)


class State(StrEnum):
    QUEUED = "queued"          # stored; a worker sends it when due
    SENT = "sent"              # a channel took it
    DELIVERED = "delivered"    # the channel says it arrived
    BOUNCED = "bounced"        # the channel says it did not arrive: staff may resend (by the other channel)
    FAILED = "failed"          # every attempt failed: the dead-letter list
    SUPPRESSED = "suppressed"  # optional, and the recipient opted out: kept, not sent
    RETURNED = "returned"      # handed back to the monolith's outbox (a rollback), which sends it


RESENDABLE = (State.FAILED, State.BOUNCED, State.SUPPRESSED)
# What staff and customers read for each state.
LABELS = {State.QUEUED: "Queued", State.SENT: "Sent", State.DELIVERED: "Delivered", State.BOUNCED: "Bounced",
          State.FAILED: "Failed", State.SUPPRESSED: "Not sent (opted out)",
          State.RETURNED: "Handed back to the legacy outbox"}


class InvalidMessage(InvalidFields): ...


@dataclass(frozen=True)
class Recipient:
    kind: str  # customer | expert
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


KINDS = ("customer", "expert")


@dataclass(frozen=True)
class Attempt:
    at: str
    channel: str
    outcome: str  # sent | failed | refused | no-address | waiting
    detail: str = ""


@dataclass
class Message:
    key: str                       # the sender's idempotency key: one message per key, ever
    recipient: Recipient
    category: Category
    subject: str
    body: str
    requested_by: str
    created_at: dt.datetime
    channel: str = "preferred"     # what the sender asked: preferred | email | sms
    id: str = ""
    state: State = State.QUEUED
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    sent_by: str = ""              # the channel that took it
    address: str = ""              # where it went
    provider_ref: str = ""         # the channel's own id (SMTP Message-ID, the gateway's message id)
    refused: tuple[str, ...] = ()  # channels that refused this recipient for good
    history: list[Attempt] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """What makes a repeat of the same key the same message (and not a key reused for another)."""
        text = "\x1f".join((self.recipient.key, self.category, self.subject, self.body))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def dead(self) -> bool:
        return self.state == State.FAILED

    def sent(self, channel: Channel, address: str, provider_ref: str, at: dt.datetime) -> None:
        self.attempts += 1
        self.state, self.sent_at, self.sent_by, self.address, self.provider_ref = State.SENT, at, channel, address, provider_ref
        self.next_attempt_at = None
        self.history.append(Attempt(at.isoformat(timespec="seconds"), channel, "sent", address))

    def returned(self, reference: str, at: dt.datetime) -> None:
        """The monolith's outbox took it back (the switch was rolled back): it sends it now, not us."""
        self.state, self.next_attempt_at, self.provider_ref = State.RETURNED, None, reference
        self.history.append(Attempt(at.isoformat(timespec="seconds"), "", "returned",
                                    "handed back to the legacy outbox"))

    def refused_by(self, channel: Channel, detail: str, at: dt.datetime) -> None:
        """The channel will never take it for this recipient (a number the gateway refuses, an address
        the mail server rejects): the next attempt tries the fallback at once."""
        if channel not in self.refused:
            self.refused = (*self.refused, channel)
        self.history.append(Attempt(at.isoformat(timespec="seconds"), channel, "refused", detail[:500]))

    def attempt_failed(self, detail: str, at: dt.datetime, channel: str = "", outcome: str = "failed") -> None:
        """No channel took it this time: retry after a growing pause, or dead-letter it."""
        self.attempts += 1
        self.history.append(Attempt(at.isoformat(timespec="seconds"), channel, outcome, detail[:500]))
        if self.attempts >= MAX_ATTEMPTS:
            self.state, self.next_attempt_at = State.FAILED, None
        else:
            self.next_attempt_at = at + backoff(self.attempts)

    def give_up(self, detail: str, at: dt.datetime) -> None:
        """Nothing can ever carry it (every channel refused, no address at all): dead-letter it now."""
        self.attempts += 1
        self.history.append(Attempt(at.isoformat(timespec="seconds"), "", "failed", detail[:500]))
        self.state, self.next_attempt_at = State.FAILED, None

    def receipt(self, delivered: bool, detail: str, at: dt.datetime) -> bool:
        """The channel's word on a sent message; False if it has no sent message to speak of."""
        if self.state not in (State.SENT, State.DELIVERED):
            return False
        self.state = State.DELIVERED if delivered else State.BOUNCED
        self.history.append(Attempt(at.isoformat(timespec="seconds"), self.sent_by, self.state, detail[:500]))
        return True

    def resend(self, by: str, at: dt.datetime) -> None:
        """Staff send a dead, bounced or suppressed message again: a fresh round of attempts, now, by
        any channel but the ones that refused it (a bounce counts as a refusal of that channel)."""
        if self.state not in RESENDABLE:
            raise InvalidMessage({"state": f"a {self.state} message is not sent again"})
        if self.state == State.BOUNCED and self.sent_by and self.sent_by not in self.refused:
            self.refused = (*self.refused, self.sent_by)
        self.history.append(Attempt(at.isoformat(timespec="seconds"), "", "resend", f"by {by}"))
        self.state, self.attempts, self.next_attempt_at = State.QUEUED, 0, at
        if len(self.refused) >= len(Channel):  # every channel refused: try them all again
            self.refused = ()

    def same_as(self, other: Message) -> bool:
        return self.fingerprint == other.fingerprint

    def copy(self) -> Message:
        return replace(self, history=list(self.history))


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... seconds after the 1st, 2nd, 3rd failed attempt; never more than five minutes."""
    return dt.timedelta(seconds=min(FIRST_PAUSE_S ** attempts, LONGEST_PAUSE_S))
