"""Taking messages in: checked, stored once per idempotency key, before the sender gets an answer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.messages import KINDS, Category, InvalidMessage, Message, Recipient, State
from ..domain.routing import DEFAULT_QUIET, Contact, QuietHours, first_send, route, wanted
from .ports import Clock, Messages, Recipients

MAX_SUBJECT, MAX_BODY = 200, 4000
CHANNELS_ASKED = ("preferred", "email", "sms")


class KeyReused(Exception):
    """The idempotency key was already used for another message."""


@dataclass(frozen=True)
class Accepted:
    message: Message | None
    created: bool = False
    error: Exception | None = None
    planned: str | None = None  # the channel it is to go by, when the recipient is known here already


def parse(body: Any, requested_by: str, clock: Clock) -> Message:
    """One message as a sender posts it; InvalidMessage with a message per field otherwise."""
    errors: dict[str, str] = {}
    if not isinstance(body, dict):
        raise InvalidMessage({"body": "must be a JSON object"})
    key = body.get("key")
    if not isinstance(key, str) or not 8 <= len(key.strip()) <= 160:
        errors["key"] = "an idempotency key of 8 to 160 characters"
    category = body.get("category")
    if category not in tuple(Category):
        errors["category"] = f"one of {', '.join(Category)}"
    recipient = body.get("recipient")
    rid = recipient.get("id") if isinstance(recipient, dict) else None
    if not isinstance(recipient, dict) or recipient.get("kind") not in KINDS or not isinstance(rid, int) or isinstance(
            rid, bool) or rid < 1:
        errors["recipient"] = "must be {kind: customer|expert, id: a positive integer}"
    channel = body.get("channel", "preferred")
    if channel not in CHANNELS_ASKED:
        errors["channel"] = "preferred, email or sms"
    texts = {}
    for name, most in (("subject", MAX_SUBJECT), ("body", MAX_BODY)):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            errors[name] = "required text"
        elif len(value) > most:
            errors[name] = f"at most {most} characters"
        else:
            texts[name] = value.strip()
    if errors or not isinstance(key, str) or not isinstance(recipient, dict) or not isinstance(rid, int):
        raise InvalidMessage(errors)
    return Message(key=key.strip(), recipient=Recipient(recipient["kind"], rid), category=Category(str(category)),
                   subject=texts["subject"], body=texts["body"], requested_by=requested_by, created_at=clock(),
                   channel=channel)


class Sending:
    def __init__(self, messages: Messages, recipients: Recipients, clock: Clock, quiet: QuietHours = DEFAULT_QUIET):
        self.messages, self.recipients, self.clock, self.quiet = messages, recipients, clock, quiet

    def accept(self, incoming: list[Message]) -> list[Accepted]:
        """Store the new ones (one write for all), hand back the first one for a key seen before, and
        refuse a key reused for another message. Opting out and quiet hours are decided here from the
        copy of the recipient kept in this service, with no call out; a recipient not copied yet is
        resolved by the worker."""
        now = self.clock()
        seen = self.messages.by_keys([m.key for m in incoming])
        known = self.recipients.known([m.recipient for m in incoming])
        outcomes: list[Accepted | None] = []
        fresh: list[Message] = []
        batch: dict[str, Message] = {}
        for message in incoming:
            earlier = seen.get(message.key) or batch.get(message.key)
            if earlier is not None:
                outcomes.append(Accepted(earlier) if earlier.same_as(message) else Accepted(
                    None, error=KeyReused(f"idempotency key {message.key!r} was used for another message")))
                continue
            message.next_attempt_at = first_send(message.category, now, self.quiet)
            contact = known.get(message.recipient.key)
            if contact is not None and not wanted(message, contact):
                message.state, message.next_attempt_at = State.SUPPRESSED, None
            batch[message.key] = message
            fresh.append(message)
            outcomes.append(None)
        stored = dict(zip((m.key for m in fresh), self.messages.add(fresh) if fresh else []))
        result = []
        for message, outcome in zip(incoming, outcomes):
            if outcome is not None:
                result.append(outcome)
                continue
            kept, created = stored[message.key]
            if created or kept.same_as(message):  # not created: a concurrent sender stored the key first
                result.append(Accepted(kept, created, planned=_planned(kept, known.get(kept.recipient.key))))
            else:
                result.append(Accepted(None, error=KeyReused(f"idempotency key {message.key!r} was used for "
                                                             "another message")))
        return result


def _planned(message: Message, contact: Contact | None) -> str | None:
    if contact is None or message.state != State.QUEUED:
        return None
    choices = route(message, contact)
    return str(choices[0][0]) if choices else None
