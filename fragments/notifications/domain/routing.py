"""Which channels carry a message, in order: the one asked for (or the recipient's preferred one),
then the other as the fallback; a channel the recipient has no address for, or that refused them for
good, is left out. Quiet hours: what is not urgent waits for the morning."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .messages import OPTIONAL, Category, Channel, InvalidMessage, Message

QUIET_FROM = dt.time(21, 0)
QUIET_UNTIL = dt.time(7, 0)  # the morning-of reminder goes at 07:00, an hour before the first slot


@dataclass(frozen=True)
class QuietHours:
    """When nothing that can wait is sent (from `start` until `end`, across midnight); none if equal."""
    start: dt.time = QUIET_FROM
    end: dt.time = QUIET_UNTIL

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """"21:00-07:00"; "" or "none": no quiet hours."""
        if text.strip().lower() in ("", "none"):
            return cls(dt.time(0), dt.time(0))
        start, _, end = text.partition("-")
        return cls(dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))


@dataclass(frozen=True)
class Contact:
    """Where a person can be reached, and how they like it."""
    name: str
    email: str = ""
    phone: str = ""
    preferred: Channel = Channel.EMAIL
    opted_out: frozenset[Category] = field(default_factory=frozenset)

    def address(self, channel: Channel) -> str:
        return (self.email if channel == Channel.EMAIL else self.phone).strip()

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


def route(message: Message, contact: Contact) -> list[tuple[Channel, str]]:
    """(channel, address) pairs to try, best first."""
    first = Channel(message.channel) if message.channel in tuple(Channel) else contact.preferred
    order = [first, *(c for c in Channel if c != first)]
    return [(c, contact.address(c)) for c in order if contact.address(c) and c not in message.refused]


def wanted(message: Message, contact: Contact) -> bool:
    """False for an optional message of a kind the recipient opted out of."""
    return not (message.category.optional and message.category in contact.opted_out)


DEFAULT_QUIET = QuietHours()


def quiet(at: dt.datetime, hours: QuietHours = DEFAULT_QUIET) -> bool:
    if hours.start == hours.end:
        return False
    if hours.start > hours.end:  # across midnight
        return at.time() >= hours.start or at.time() < hours.end
    return hours.start <= at.time() < hours.end


def first_send(category: Category, at: dt.datetime, hours: QuietHours = DEFAULT_QUIET) -> dt.datetime:
    """When a message accepted at `at` may first go out: now, or the end of the quiet hours."""
    if category.urgent or not quiet(at, hours):
        return at
    end = dt.datetime.combine(at.date(), hours.end)
    return end if at < end else end + dt.timedelta(days=1)


def preferences(channel: str, opted_out: list[str]) -> tuple[Channel, frozenset[Category]]:
    """A preference as a person chose it on a form or in an API call, checked."""
    errors = {}
    if channel not in tuple(Channel):
        errors["channel"] = "choose email or text message"
    unknown = [c for c in opted_out if c not in {o.value for o in OPTIONAL}]
    if unknown:
        errors["opted_out"] = f"one may opt out of {', '.join(OPTIONAL)} only, not {', '.join(unknown)}"
    if errors:
        raise InvalidMessage(errors)
    return Channel(channel), frozenset(Category(c) for c in opted_out)
