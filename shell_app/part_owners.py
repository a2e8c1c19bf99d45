"""Which side serves a part of the monolith that moves out: the monolith's own code (`legacy`) until
the part is switched to its new service, and again after a rollback. One row per part."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from .models import PartOwner

OUTBOX = "outbox"
OWNERS = ("legacy", "notifications")
# Login accounts and sign-in (ADR 0032): the monolith's login, or the identity service's.
ACCOUNTS = "accounts"
ACCOUNT_OWNERS = ("legacy", "identity")


def owner_of(session: Session, part: str) -> str:
    row = session.get(PartOwner, part)
    return row.owner if row is not None else "legacy"


def switched_since(session: Session, part: str) -> dt.datetime | None:
    """When the part's owner was last set (switched or rolled back); None if it never was."""
    row = session.get(PartOwner, part)
    return row.changed_at if row is not None else None


def set_owner(session: Session, part: str, owner: str) -> None:
    row = session.get(PartOwner, part, with_for_update=True)
    now = dt.datetime.now().replace(microsecond=0)
    if row is None:
        session.add(PartOwner(part=part, owner=owner, changed_at=now))
    else:
        row.owner, row.changed_at = owner, now
    session.commit()
