"""A staff alert: something the call centre must act on now (no expert free for a ticket, a service
level about to be missed, a visit nobody is coming to). Raised by our services, shown newest first on
the staff's outbox page; never sent to anyone's address."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from foundation.invalid import InvalidFields

KIND_MAX, MESSAGE_MAX, REFERENCE_MAX = 40, 2000, 40


class InvalidAlert(InvalidFields): ...


@dataclass(frozen=True)
class StaffAlert:
    kind: str
    message: str
    ticket_reference: str | None
    raised_by: str
    raised_at: dt.datetime
    key: str = ""  # unique; a legacy alert's is "legacy:<its id>"
    source: str = "new"  # or "legacy": raised in the monolith before it was retired

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "message": self.message, "ticket_reference": self.ticket_reference,
                "raised_by": self.raised_by, "raised_at": self.raised_at.isoformat(timespec="seconds"),
                "source": self.source}


def _text(body: dict[str, Any], name: str, limit: int, errors: dict[str, str], required: bool = True) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            errors[name] = "required"
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        errors[name] = f"text of at most {limit} characters"
        return ""
    return value.strip()


def alert_from(body: Any, raised_by: str, now: dt.datetime) -> StaffAlert:
    """An alert as a service hands it over ({kind, message, ticket_reference?}); InvalidAlert per field."""
    if not isinstance(body, dict):
        raise InvalidAlert({"alert": "an object with kind and message"})
    errors: dict[str, str] = {}
    kind = _text(body, "kind", KIND_MAX, errors)
    message = _text(body, "message", MESSAGE_MAX, errors)
    reference = _text(body, "ticket_reference", REFERENCE_MAX, errors, required=False) or None
    if errors:
        raise InvalidAlert(errors)
    return StaffAlert(kind, message, reference, raised_by, now)
