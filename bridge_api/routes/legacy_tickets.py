from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from shell_app.models import LegacyTicket, UserAccount

from .. import serializers as s
from ..auth import grant
from ..paging import page_of, page_request
from ..problems import Problem
from ._common import db

MIGRATORS = ("ticketing", "backfill")
LOADS = (selectinload(LegacyTicket.slots), selectinload(LegacyTicket.history), selectinload(LegacyTicket.customer))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/legacy-tickets", "legacy_tickets_ids", ids)
    bp.add_url_rule("/legacy-tickets/stats", "legacy_tickets_stats", stats)
    bp.add_url_rule("/legacy-tickets/checksums", "legacy_tickets_checksums", checksums)
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>", "legacy_ticket_get", get)
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>/migrated", "legacy_ticket_mark_migrated", mark_migrated,
                    methods=["POST"])


@grant(services=(*MIGRATORS, "reports"))
def ids():
    """Ticket ids in id order, for the backfill; `migrated=false|true|any` (default any)."""
    page = page_request()
    migrated = request.args.get("migrated", "any")
    if migrated not in ("any", "true", "false"):
        raise Problem(400, "Bad Request", "migrated must be true, false or any", kind="invalid-parameter")
    query = select(LegacyTicket.id).where(LegacyTicket.id > page.after_id).order_by(LegacyTicket.id)
    if migrated != "any":
        column = LegacyTicket.migrated_at
        query = query.where(column.is_not(None) if migrated == "true" else column.is_(None))
    rows, cursor = page_of(list(db().scalars(query.limit(page.limit + 1))), page, key=lambda i: i)
    return jsonify(items=rows, next_cursor=cursor)


def _ticket(ticket_id: int) -> LegacyTicket:
    row = db().get(LegacyTicket, ticket_id, options=LOADS)
    if row is None:
        raise Problem(404, "Not Found", f"no legacy ticket {ticket_id}")
    return row


@grant(services=MIGRATORS)
def get(ticket_id: int):
    ticket = _ticket(ticket_id)
    creator = db().get(UserAccount, ticket.created_by_account_id) if ticket.created_by_account_id else None
    created_by = {"username": creator.username, "role": creator.role} if creator else None
    return jsonify(s.legacy_ticket(ticket, created_by))


@grant(services=MIGRATORS)
def mark_migrated(ticket_id: int):
    """Idempotent: the first call sets migrated_at; later calls return the same time."""
    ticket = _ticket(ticket_id)
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    # A conditional UPDATE, so concurrent markers cannot overwrite each other's time.
    session.execute(update(LegacyTicket).where(LegacyTicket.id == ticket_id, LegacyTicket.migrated_at.is_(None))
                    .values(migrated_at=now))
    session.commit()
    session.refresh(ticket)
    return jsonify(id=ticket.id, reference=ticket.reference, migrated_at=s.iso(ticket.migrated_at))


@grant(services=(*MIGRATORS, "reports"))
def stats():
    session = db()
    total = session.scalar(select(func.count()).select_from(LegacyTicket))
    migrated = session.scalar(select(func.count()).select_from(LegacyTicket).where(LegacyTicket.migrated_at.is_not(None)))
    return jsonify(total=total, migrated=migrated, remaining=total - migrated)


@grant(services=(*MIGRATORS, "reports"))
def checksums():
    """Content checksums in id order, for reconciliation (the same checksum as the full record's)."""
    page = page_request()
    rows = list(db().scalars(select(LegacyTicket).options(*LOADS).where(LegacyTicket.id > page.after_id)
                             .order_by(LegacyTicket.id).limit(page.limit + 1)))
    rows, cursor = page_of(rows, page)
    creators = {a.id: a for a in db().scalars(select(UserAccount).where(
        UserAccount.id.in_({r.created_by_account_id for r in rows if r.created_by_account_id})))}
    items = []
    for row in rows:
        creator = creators.get(row.created_by_account_id)
        record = s.legacy_ticket(row, {"username": creator.username, "role": creator.role} if creator else None)
        items.append({"id": row.id, "checksum": record["checksum"], "migrated_at": record["migrated_at"]})
    return jsonify(items=items, next_cursor=cursor)
