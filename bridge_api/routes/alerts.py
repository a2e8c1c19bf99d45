from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify
from sqlalchemy import select

from shell_app.models import StaffAlert

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant
from ..paging import page_of, page_request
from ._common import batch_items, db, invalid, json_body, listing, text_field


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/staff-alerts", "staff_alerts_list", list_alerts)
    bp.add_url_rule("/staff-alerts", "staff_alert_raise", raise_alert, methods=["POST"])
    bp.add_url_rule("/staff-alerts/batch", "staff_alerts_raise_many", raise_alerts, methods=["POST"])


MAX_BATCH = 100


@grant(roles=STAFF, services=SERVICES)
def list_alerts():
    """Newest first; the cursor walks back in time."""
    page = page_request()
    query = select(StaffAlert).order_by(StaffAlert.id.desc()).limit(page.limit + 1)
    if page.after_id:
        query = query.where(StaffAlert.id < page.after_id)
    rows, cursor = page_of(list(db().scalars(query)), page)
    return listing([s.staff_alert(r) for r in rows], cursor)


@grant(services=SERVICES)
def raise_alert():
    errors: dict[str, str] = {}
    alert = _alert(json_body(), errors)
    if errors:
        raise invalid(errors)
    db().add(alert)
    db().commit()
    return jsonify(s.staff_alert(alert)), 201


@grant(services=SERVICES)
def raise_alerts():
    """Several alerts in one transaction: all raised (201, in order), or none if any item is invalid (422)."""
    alerts = batch_items(_alert, "alerts", MAX_BATCH)
    db().add_all(alerts)
    db().commit()
    return jsonify(items=[s.staff_alert(alert) for alert in alerts]), 201


def _alert(body: dict, errors: dict[str, str]) -> StaffAlert:
    kind = text_field(body, "kind", errors, max_length=40)
    message = text_field(body, "message", errors, max_length=2000)
    reference = text_field(body, "ticket_reference", errors, max_length=40, required=False) or None
    return StaffAlert(kind=kind, message=message, ticket_reference=reference, raised_by=g.principal.subject,
                      created_at=dt.datetime.now())
