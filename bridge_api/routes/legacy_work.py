"""The legacy side of work still held only by the legacy system (tickets not yet in the graph):
commitments that bind the new assignment, and the figures the managers' report adds to the graph's.

"Not yet in the graph" is "not frozen": the copy has not been taken, so each ticket is counted on
one side only.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from sqlalchemy import func, select

from foundation.parsing import parse_digits
from foundation.problems import Problem
from foundation.vocabulary import LEGACY_HOLDING
from shell_app.models import Customer, LegacyTicket, Survey, SurveyResponse, TicketHistory, TicketSlot

from ..auth import grant
from ..serializers import iso
from ._common import db

MAX_LIST = 500


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/legacy-tickets/commitments", "legacy_tickets_commitments", commitments)
    bp.add_url_rule("/legacy-tickets/report-rows", "legacy_tickets_report_rows", report_rows)
    bp.add_url_rule("/legacy-tickets/report-now", "legacy_tickets_report_now", report_now)


def _moment_arg(name: str, required: bool = True) -> dt.datetime | None:
    raw = request.args.get(name)
    if raw is None and not required:
        return None
    try:
        return dt.datetime.fromisoformat(raw or "")
    except ValueError:
        raise Problem(400, "Bad Request", f"{name} must be an ISO 8601 date-time", kind="invalid-parameter") from None


def _not_in_graph():
    return LegacyTicket.frozen_at.is_(None)


@grant(services=("ticketing", "backfill"))
def commitments():
    """Ids of open legacy work (assigned or in progress, not yet marked copied to the graph) that holds
    one of the given slots, or the given expert: what the new assignment must migrate before it offers.

    Frozen but not yet marked counts too: another caller may be copying it right now, and an assignment
    that left it out would look for free experts before that copy (with its bookings) is in the graph.
    Copying again is harmless (the freeze and the graph write are idempotent) and waits for the copy."""
    raw_slots = [s for s in request.args.get("slots", "").split(",") if s]
    expert_id = parse_digits(request.args.get("expert_id", "")) if "expert_id" in request.args else None
    if "expert_id" in request.args and expert_id is None:
        raise Problem(400, "Bad Request", "expert_id must be an id", kind="invalid-parameter")
    try:
        slots = [dt.datetime.fromisoformat(s) for s in raw_slots[:10]]
    except ValueError:
        raise Problem(400, "Bad Request", "slots must be ISO 8601 date-times", kind="invalid-parameter") from None
    if not slots and expert_id is None:
        raise Problem(400, "Bad Request", "give slots, expert_id or both", kind="invalid-parameter")
    query = select(LegacyTicket.id).where(LegacyTicket.migrated_at.is_(None), LegacyTicket.status.in_(LEGACY_HOLDING),
                                          LegacyTicket.assigned_expert_id.is_not(None))
    if expert_id is not None:
        query = query.where(LegacyTicket.assigned_expert_id == expert_id)
    if slots:
        query = query.where(LegacyTicket.id.in_(select(TicketSlot.ticket_id).where(TicketSlot.starts_at.in_(slots))))
    return jsonify(items=list(db().scalars(query.order_by(LegacyTicket.id).limit(MAX_LIST))))


@grant(services=("reports",))
def report_rows():
    """Legacy-only tickets raised in [from, to), one array each: id, reference, status, product id,
    locale id, created at, closed at, times reopened, expert id, when first assigned; with `with=contract`
    (since 1.7.0) also the customer id and contract id (which plan's promises the ticket was raised under)."""
    start, end = _moment_arg("from"), _moment_arg("to")
    wanted = request.args.get("with", "")
    if wanted not in ("", "contract"):
        raise Problem(400, "Bad Request", "with must be 'contract' or absent", kind="invalid-parameter")
    width = 12 if wanted else 10
    accepted_at = (select(func.min(TicketHistory.at)).where(TicketHistory.ticket_id == LegacyTicket.id,
                                                             TicketHistory.action == "assigned").scalar_subquery())
    reopened = (select(func.count()).where(TicketHistory.ticket_id == LegacyTicket.id,
                                           TicketHistory.action == "status",
                                           TicketHistory.detail.like("closed -> %")).scalar_subquery())
    rows = db().execute(
        select(LegacyTicket.id, LegacyTicket.reference, LegacyTicket.status, LegacyTicket.product_id,
               Customer.locale_id, LegacyTicket.created_at, LegacyTicket.closed_at, reopened,
               LegacyTicket.assigned_expert_id, accepted_at, LegacyTicket.customer_id, LegacyTicket.contract_id)
        .join(Customer, Customer.id == LegacyTicket.customer_id)
        .where(LegacyTicket.created_at >= start, LegacyTicket.created_at < end, _not_in_graph())
        .order_by(LegacyTicket.id)).all()
    return jsonify(items=[[r[0], r[1], r[2], r[3], r[4], iso(r[5]), iso(r[6]), r[7], r[8], iso(r[9]), r[10], r[11]][:width]
                          for r in rows])


@grant(services=("reports",))
def report_now():
    """Legacy-only figures at a moment: tickets waiting for an expert, each expert's load (slots of open
    work from `now` on) and the survey answers per expert (sum of each survey's mean score, count)."""
    now = _moment_arg("now")
    legacy_only = _not_in_graph()
    session = db()
    waiting = session.execute(
        select(LegacyTicket.id, LegacyTicket.reference, LegacyTicket.created_at, LegacyTicket.updated_at)
        .where(legacy_only, LegacyTicket.status == "open").order_by(LegacyTicket.updated_at)).all()
    loads = session.execute(
        select(LegacyTicket.assigned_expert_id, func.count(TicketSlot.id))
        .join(TicketSlot, TicketSlot.ticket_id == LegacyTicket.id)
        .where(legacy_only, LegacyTicket.status.in_(LEGACY_HOLDING), LegacyTicket.assigned_expert_id.is_not(None),
               TicketSlot.starts_at >= now)
        .group_by(LegacyTicket.assigned_expert_id)).all()
    per_survey = (select(LegacyTicket.assigned_expert_id.label("expert_id"),
                         func.avg(SurveyResponse.score).label("score"))
                  .join(Survey, Survey.ticket_id == LegacyTicket.id)
                  .join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
                  .where(legacy_only, Survey.answered_at.is_not(None), SurveyResponse.score.is_not(None),
                         LegacyTicket.assigned_expert_id.is_not(None))
                  .group_by(LegacyTicket.assigned_expert_id, Survey.id).subquery())
    surveys = session.execute(select(per_survey.c.expert_id, func.sum(per_survey.c.score), func.count())
                              .group_by(per_survey.c.expert_id)).all()
    return jsonify(
        waiting=[{"id": r[0], "reference": r[1], "created_at": iso(r[2]), "waiting_since": iso(r[3])}
                 for r in waiting],
        loads=[{"expert_id": r[0], "load": r[1]} for r in loads],
        surveys=[{"expert_id": r[0], "score_sum": float(r[1]), "answers": r[2]} for r in surveys])
