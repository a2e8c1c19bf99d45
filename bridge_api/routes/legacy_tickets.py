from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from foundation.problems import Problem
from shell_app.models import STAFF_ROLES, TICKET_STATUSES, Expert, LegacyTicket, Survey, SurveyTemplate, UserAccount

from .. import serializers as s
from ..auth import grant
from ..paging import page_of, page_request
from ._common import db, freeze_rows, id_list, json_body, mark_rows

MIGRATORS = ("ticketing", "backfill")
BATCH_MAX = 500
LOADS = (selectinload(LegacyTicket.slots), selectinload(LegacyTicket.history), selectinload(LegacyTicket.customer),
         selectinload(LegacyTicket.survey).selectinload(Survey.responses),
         selectinload(LegacyTicket.survey).selectinload(Survey.template).selectinload(SurveyTemplate.questions))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/legacy-tickets", "legacy_tickets_ids", ids)
    bp.add_url_rule("/legacy-tickets/stats", "legacy_tickets_stats", stats)
    bp.add_url_rule("/legacy-tickets/batch", "legacy_tickets_batch", batch)
    bp.add_url_rule("/legacy-tickets/migrated", "legacy_tickets_mark_many", mark_many, methods=["POST"])
    bp.add_url_rule("/legacy-tickets/freeze", "legacy_tickets_freeze", freeze, methods=["POST"])
    bp.add_url_rule("/legacy-tickets/checksums", "legacy_tickets_checksums", checksums)
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>", "legacy_ticket_get", get)
    bp.add_url_rule("/legacy-tickets/<int:ticket_id>/migrated", "legacy_ticket_mark_migrated", mark_migrated,
                    methods=["POST"])


@grant(services=(*MIGRATORS, "reports"))
def ids():
    """Ticket ids in id order, for the backfill; `migrated=false|true|any` (default any); `status=` a
    comma-separated list of legacy statuses (default all)."""
    page = page_request()
    migrated = request.args.get("migrated", "any")
    if migrated not in ("any", "true", "false"):
        raise Problem(400, "Bad Request", "migrated must be true, false or any", kind="invalid-parameter")
    statuses = [s for s in request.args.get("status", "").split(",") if s]
    if any(s not in TICKET_STATUSES for s in statuses):
        raise Problem(400, "Bad Request", f"status must be among {', '.join(TICKET_STATUSES)}",
                      kind="invalid-parameter")
    query = select(LegacyTicket.id).where(LegacyTicket.id > page.after_id).order_by(LegacyTicket.id)
    if statuses:
        query = query.where(LegacyTicket.status.in_(statuses))
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


def _records(rows: list[LegacyTicket]) -> list[dict]:
    creators = {a.id: a for a in db().scalars(select(UserAccount).where(
        UserAccount.id.in_({r.created_by_account_id for r in rows if r.created_by_account_id})))}

    def created_by(row: LegacyTicket) -> dict | None:
        creator = creators.get(row.created_by_account_id)
        return {"username": creator.username, "role": creator.role} if creator else None

    return [s.legacy_ticket(row, created_by(row)) for row in rows]


@grant(services=MIGRATORS)
def get(ticket_id: int):
    return jsonify(_records([_ticket(ticket_id)])[0])


@grant(services=MIGRATORS)
def batch():
    """Several full records at once (`?ids=1,2,3`, at most 500); unknown ids are listed in `missing`."""
    raw = request.args.get("ids", "")
    parts = raw.split(",") if raw else []
    if not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts):
        raise Problem(400, "Bad Request", "ids must be comma-separated integers", kind="invalid-parameter")
    items, missing = _full_records(id_list([int(p) for p in parts], BATCH_MAX))
    return jsonify(items=items, missing=missing)


def _full_records(ids: list[int]) -> tuple[list[dict], list[int]]:
    rows = list(db().scalars(select(LegacyTicket).options(*LOADS).where(LegacyTicket.id.in_(ids))
                             .order_by(LegacyTicket.id).execution_options(populate_existing=True)))
    found = {r.id for r in rows}
    return _records(rows), [i for i in ids if i not in found]


@grant(services=MIGRATORS)
def freeze():
    """Take the copy: refuse every later legacy write to these tickets, then return them as they are.

    The rows are locked in id order (concurrent freezes cannot deadlock), the freeze is set, and the
    records are read after it in the same transaction: a legacy write either committed before (and
    is in the records) or will see the freeze and be refused. Idempotent: a frozen ticket keeps its
    first freeze time and returns the same content.

    With a `reader` ({role, customer_id, expert_id}), on whose behalf a ticket is read for the first
    time: only the tickets that reader may read are frozen and returned (staff any; a customer their
    own; an expert those assigned to them); the others are listed in `missing`, untouched, so a refused
    read never moves a ticket. Access is decided here, on the row being frozen, once."""
    body = json_body()
    ids = id_list(body.get("ids"), BATCH_MAX)
    reader = _reader(body["reader"]) if "reader" in body else None
    return freeze_rows(LegacyTicket, ids, _full_records,
                       admit=(lambda locked: _readable(locked, reader)) if reader else None)


def _reader(raw) -> dict:
    """A body's `reader`, or 400."""
    def an_id(name: str) -> int | None:
        value = raw.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31):
            return value
        raise Problem(400, "Bad Request", f"reader.{name} must be a positive integer or null", kind="invalid-parameter")

    if not isinstance(raw, dict) or raw.get("role") not in (*STAFF_ROLES, "customer", "expert"):
        raise Problem(400, "Bad Request", "reader must be {role, customer_id, expert_id} with a known role",
                      kind="invalid-parameter")
    return {"role": raw["role"], "customer_id": an_id("customer_id"), "expert_id": an_id("expert_id")}


def _readable(ids: list[int], reader: dict) -> list[int]:
    if reader["role"] in STAFF_ROLES:
        return ids
    query = select(LegacyTicket.id).where(LegacyTicket.id.in_(ids))
    if reader["role"] == "customer":
        query = query.where(LegacyTicket.customer_id == reader["customer_id"])
    else:
        query = query.where(LegacyTicket.assigned_expert_id == reader["expert_id"])
    return sorted(db().scalars(query))


@grant(services=MIGRATORS)
def mark_many():
    """Mark several tickets migrated (idempotent, like the single mark); unknown ids are listed in `missing`."""
    ids = id_list(json_body().get("ids"), BATCH_MAX)
    mark_rows(LegacyTicket, ids)
    session = db()
    rows = session.execute(select(LegacyTicket.id, LegacyTicket.reference, LegacyTicket.migrated_at)
                           .where(LegacyTicket.id.in_(ids)).order_by(LegacyTicket.id)).all()
    found = {r.id for r in rows}
    return jsonify(items=[{"id": r.id, "reference": r.reference, "migrated_at": s.iso(r.migrated_at)} for r in rows],
                   missing=[i for i in ids if i not in found])


@grant(services=MIGRATORS)
def mark_migrated(ticket_id: int):
    """Idempotent: the first call sets migrated_at; later calls return the same time."""
    ticket = _ticket(ticket_id)
    session = db()
    now = dt.datetime.now().replace(microsecond=0)
    # A conditional UPDATE, so concurrent markers cannot overwrite each other's time.
    session.execute(update(LegacyTicket).where(LegacyTicket.id == ticket_id, LegacyTicket.migrated_at.is_(None))
                    .values(migrated_at=now, frozen_at=func.coalesce(LegacyTicket.frozen_at, now)))
    session.commit()
    session.refresh(ticket)
    return jsonify(id=ticket.id, reference=ticket.reference, migrated_at=s.iso(ticket.migrated_at))


@grant(services=(*MIGRATORS, "reports"))
def stats():
    session = db()
    total = session.scalar(select(func.count()).select_from(LegacyTicket))
    migrated = session.scalar(select(func.count()).select_from(LegacyTicket).where(LegacyTicket.migrated_at.is_not(None)))
    frozen = session.scalar(select(func.count()).select_from(LegacyTicket).where(LegacyTicket.frozen_at.is_not(None)))
    experts = session.scalar(select(func.count()).select_from(Expert))  # for the migration report per part
    return jsonify(total=total, migrated=migrated, remaining=total - migrated, frozen=frozen, experts=experts)


@grant(services=(*MIGRATORS, "reports"))
def checksums():
    """Content checksums in id order, for reconciliation (the same checksum as the full record's)."""
    page = page_request()
    rows = list(db().scalars(select(LegacyTicket).options(*LOADS).where(LegacyTicket.id > page.after_id)
                             .order_by(LegacyTicket.id).limit(page.limit + 1)))
    rows, cursor = page_of(rows, page)
    items = [{"id": r["id"], "checksum": r["checksum"], "frozen_at": r["frozen_at"], "migrated_at": r["migrated_at"]}
             for r in _records(rows)]
    return jsonify(items=items, next_cursor=cursor)
