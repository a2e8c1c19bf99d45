"""Rollback: tickets written back from the graph into the legacy schema, so the monolith serves them
again (docs/runbook in README, "Going back"). Upsert by id, so a rollback that stopped half way is
simply run again; the ticket's history, slots and survey are replaced by what the graph holds, and
the freeze and migration marks are cleared: the legacy screens can change the ticket again."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify
from sqlalchemy import delete, select

from foundation.problems import Problem
from shell_app.models import (
    TICKET_STATUSES,
    Customer,
    LegacyTicket,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    TicketHistory,
    TicketSlot,
)

from ..auth import grant
from ._common import db, json_body

MAX_ITEMS = 200
SURVEY_TEMPLATE = 1


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/legacy-tickets/writeback", "legacy_tickets_writeback", writeback, methods=["PUT"])


def _moment(value, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise Problem(422, "Unprocessable Content", f"{field} must be an ISO 8601 date-time",
                      kind="validation") from None


def _check(item) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int) or item.get("status") not in TICKET_STATUSES:
        raise Problem(422, "Unprocessable Content", "each item needs an integer id and a legacy status",
                      kind="validation")
    for name in ("customer_id", "contract_id", "product_id"):
        if not isinstance(item.get(name), int):
            raise Problem(422, "Unprocessable Content", f"{name} must be an integer", kind="validation")
    if not isinstance(item.get("history"), list) or not isinstance(item.get("slots"), list):
        raise Problem(422, "Unprocessable Content", "history and slots must be lists", kind="validation")


@grant(services=("backfill",))
def writeback():
    items = json_body().get("items")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        raise Problem(400, "Bad Request", f"items must be 1 to {MAX_ITEMS} tickets", kind="invalid-body")
    for item in items:
        _check(item)
    session = db()
    score_questions = list(session.scalars(select(SurveyQuestion.id).where(
        SurveyQuestion.template_id == SURVEY_TEMPLATE, SurveyQuestion.kind == "score")))
    text_question = session.scalar(select(SurveyQuestion.id).where(
        SurveyQuestion.template_id == SURVEY_TEMPLATE, SurveyQuestion.kind == "text"))
    for item in items:
        if session.get(Customer, item["customer_id"]) is None:
            raise Problem(422, "Unprocessable Content", f"ticket {item['id']}: no customer {item['customer_id']}",
                          kind="validation")
        ticket = session.get(LegacyTicket, item["id"]) or LegacyTicket(id=item["id"])
        ticket.reference = item["reference"]
        ticket.customer_id, ticket.contract_id = item["customer_id"], item["contract_id"]
        ticket.product_id, ticket.description = item["product_id"], item["description"]
        ticket.status, ticket.channel = item["status"], item["channel"]
        ticket.assigned_expert_id = item.get("assigned_expert_id")
        ticket.created_at = _moment(item["created_at"], "created_at")
        ticket.updated_at = _moment(item["updated_at"], "updated_at") or ticket.created_at
        ticket.closed_at = _moment(item.get("closed_at"), "closed_at")
        ticket.resolution = item.get("resolution")
        ticket.frozen_at = ticket.migrated_at = None  # the legacy system is the master again
        session.add(ticket)
        session.flush()
        session.execute(delete(TicketSlot).where(TicketSlot.ticket_id == ticket.id))
        session.execute(delete(TicketHistory).where(TicketHistory.ticket_id == ticket.id))
        session.add_all(TicketSlot(ticket_id=ticket.id, starts_at=_moment(s, "slots")) for s in item["slots"])
        session.add_all(TicketHistory(ticket_id=ticket.id, at=_moment(h["at"], "history.at"), actor=h["actor"][:120],
                                      action=h["action"][:32], detail=h["detail"]) for h in item["history"])
        survey = item.get("survey")
        if survey and session.scalar(select(Survey.id).where(Survey.ticket_id == ticket.id)) is None:
            answered = _moment(survey["answered_at"], "survey.answered_at")
            row = Survey(ticket_id=ticket.id, template_id=SURVEY_TEMPLATE, sent_at=answered, answered_at=answered)
            session.add(row)
            session.flush()
            session.add_all(SurveyResponse(survey_id=row.id, question_id=q, score=round(survey["score"]))
                            for q in score_questions)
            if text_question and survey.get("comment"):
                session.add(SurveyResponse(survey_id=row.id, question_id=text_question, text=survey["comment"]))
    session.commit()
    return jsonify(written=[item["id"] for item in items])
