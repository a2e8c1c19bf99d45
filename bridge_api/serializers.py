"""Monolith records as the bridge's v1 JSON shapes (see openapi.py for the contract)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from bridge_client import record_checksum
from shell_app.models import (
    Article,
    Bill,
    Contract,
    Customer,
    Expert,
    LegacyTicket,
    Locale,
    Notification,
    Plan,
    Product,
    StaffAlert,
    SurveyTemplate,
)


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def locale(row: Locale) -> dict:
    return {"id": row.id, "code": row.code, "name": row.name, "region": row.region}


def product(row: Product) -> dict:
    return {"id": row.id, "sku": row.sku, "name": row.name, "category": row.category,
            "manufacturer": row.manufacturer}


def customer(row: Customer) -> dict:
    return {"id": row.id, "first_name": row.first_name, "last_name": row.last_name, "email": row.email,
            "phone": row.phone, "address_line": row.address_line, "city": row.city, "postcode": row.postcode,
            "locale": locale(row.locale), "notification_preference": row.notification_preference,
            "created_at": iso(row.created_at)}


def contract(row: Contract) -> dict:
    return {"id": row.id, "reference": row.reference, "customer_id": row.customer_id,
            "plan": {"id": row.plan.id, "code": row.plan.code, "name": row.plan.name},
            "start_date": iso(row.start_date), "end_date": iso(row.end_date), "status": row.status,
            "product_ids": [p.id for p in row.products]}


def expert(row: Expert) -> dict:
    return {"id": row.id, "employee_number": row.employee_number, "first_name": row.first_name,
            "last_name": row.last_name, "email": row.email, "phone": row.phone, "active": row.active,
            "skills": [{"product_id": s.product_id, "level": s.level} for s in row.skills],
            "locale_ids": [l.locale_id for l in row.locales],
            "weekly_availability": [{"weekday": a.weekday, "period": a.period} for a in row.weekly_availability],
            "time_off": [{"start_date": iso(t.start_date), "end_date": iso(t.end_date), "reason": t.reason}
                         for t in row.time_off]}


def legacy_ticket(row: LegacyTicket, created_by: dict | None) -> dict:
    content = {
        "id": row.id, "reference": row.reference, "status": row.status, "channel": row.channel,
        "description": row.description, "customer_id": row.customer_id, "contract_id": row.contract_id,
        "product_id": row.product_id, "locale_id": row.customer.locale_id,
        "assigned_expert_id": row.assigned_expert_id, "created_by": created_by,
        "created_at": iso(row.created_at), "updated_at": iso(row.updated_at), "closed_at": iso(row.closed_at),
        "resolution": row.resolution, "slots": [iso(s.starts_at) for s in row.slots],
        "history": [{"at": iso(h.at), "actor": h.actor, "action": h.action, "detail": h.detail} for h in row.history],
    }
    # The survey is not part of the checksummed content: the legacy system has no screen that changes
    # an answered survey, and the new system carries it over once (then it is answered there, once).
    return {**content, "checksum": content_checksum(content), "frozen_at": iso(row.frozen_at),
            "migrated_at": iso(row.migrated_at), "survey": legacy_survey(row.survey),
            "survey_sent": survey_sent(row.survey)}


def legacy_survey(row) -> dict | None:
    """An answered legacy survey as one score (the mean of its score questions, 1-5) and its comment,
    with the template it was given under and each answer by the question's position."""
    if row is None or row.answered_at is None:
        return None
    scores = [r.score for r in row.responses if r.score is not None]
    comments = [r.text for r in row.responses if r.text]
    if not scores:
        return None
    positions = {q.id: q.position for q in row.template.questions}
    answers = sorted(({"position": positions.get(r.question_id, 0), "score": r.score, "text": r.text}
                      for r in row.responses), key=lambda a: a["position"])
    return {"answered_at": iso(row.answered_at), "score": round(sum(scores) / len(scores), 2),
            "comment": comments[0] if comments else "", "template_id": row.template_id, "answers": answers}


def survey_sent(row) -> dict | None:
    """A legacy survey sent and not answered: which template its customer was asked to answer."""
    if row is None or row.answered_at is not None:
        return None
    return {"template_id": row.template_id, "sent_at": iso(row.sent_at)}


def bill_content(row: Bill) -> dict:
    """A monthly bill with its payments as the customers service takes it over (a legacy payment
    method is a kind, never card data)."""
    return {"id": row.id, "contract_id": row.contract_id, "period_start": iso(row.period_start),
            "amount_cents": row.amount_cents, "issued_on": iso(row.issued_on), "due_on": iso(row.due_on),
            "payments": [{"id": p.id, "paid_at": iso(p.paid_at), "amount_cents": p.amount_cents, "method": p.method}
                         for p in sorted(row.payments, key=lambda p: p.id)]}


def survey_template_content(row: SurveyTemplate) -> dict:
    """A survey template as the ticketing service takes it over: its questions in order."""
    return {"id": row.id, "name": row.name,
            "questions": [{"position": q.position, "text": q.text, "kind": q.kind}
                          for q in sorted(row.questions, key=lambda q: q.position)]}


def content_checksum(content: dict) -> str:
    """SHA-256 of the canonical JSON of a ticket's content: what reconciliation compares."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def notification(row: Notification) -> dict:
    return {"id": row.id, "idempotency_key": row.idempotency_key, "channel": row.channel,
            "recipient": {"kind": row.recipient_kind, "id": row.recipient_id}, "status": row.status,
            "attempts": row.attempts, "created_at": iso(row.created_at), "sent_at": iso(row.sent_at),
            "last_error": row.last_error}


def article(row: Article, score: float | None = None) -> dict:
    body = {"id": row.id, "title": row.title, "body": row.body, "product_id": row.product_id,
            "tags": [t.name for t in row.tags], "keywords": [k.word for k in row.keywords],
            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}
    if score is not None:
        body["score"] = score
    return body


def staff_alert(row: StaffAlert) -> dict:
    return {"id": row.id, "kind": row.kind, "message": row.message, "ticket_reference": row.ticket_reference,
            "raised_by": row.raised_by, "created_at": iso(row.created_at),
            "acknowledged_at": iso(row.acknowledged_at)}


# The customers service's copies (docs/adr/0025): each record's content, and its checksum, which the
# service computes again from its own copy (bridge_client.record_checksum) to reconcile.
def customer_content(row: Customer) -> dict:
    return {"id": row.id, "first_name": row.first_name, "last_name": row.last_name, "email": row.email,
            "phone": row.phone, "address_line": row.address_line, "city": row.city, "postcode": row.postcode,
            "locale_id": row.locale_id, "notification_preference": row.notification_preference,
            "created_at": iso(row.created_at),
            "contracts": [{"id": c.id, "reference": c.reference, "plan_id": c.plan_id, "start_date": iso(c.start_date),
                           "end_date": iso(c.end_date), "status": c.status, "product_ids": [p.id for p in c.products]}
                          for c in sorted(row.contracts, key=lambda c: c.id)]}


def plan_content(row: Plan) -> dict:
    return {"id": row.id, "code": row.code, "name": row.name, "monthly_price_cents": row.monthly_price_cents,
            "max_open_tickets": row.max_open_tickets, "product_ids": [p.id for p in row.products]}


def account_content(row) -> dict:
    """A login account as the identity service takes it over: its password hash as it is (the service
    upgrades it at the next sign-in), for that service alone (bridge_api/routes/customer_handover.py)."""
    return {"id": row.id, "username": row.username, "password_hash": row.password_hash, "role": row.role,
            "display_name": row.display_name, "customer_id": row.customer_id, "expert_id": row.expert_id,
            "active": row.active, "created_at": iso(row.created_at), "last_login_at": iso(row.last_login_at)}


def handover(row, content: dict) -> dict:
    return {**content, "checksum": record_checksum(content), "frozen_at": iso(row.frozen_at),
            "migrated_at": iso(row.migrated_at)}
