from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify
from sqlalchemy import select

from shell_app.models import StaffAlert

from .. import serializers as s
from ..auth import SERVICES, STAFF, grant
from ..paging import page_of, page_request
from ._common import db, invalid, json_body, listing, text_field


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/staff-alerts", "staff_alerts_list", list_alerts)
    bp.add_url_rule("/staff-alerts", "staff_alert_raise", raise_alert, methods=["POST"])


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
    body = json_body()
    errors: dict[str, str] = {}
    kind = text_field(body, "kind", errors, max_length=40)
    message = text_field(body, "message", errors, max_length=2000)
    reference = text_field(body, "ticket_reference", errors, max_length=40, required=False) or None
    if errors:
        raise invalid(errors)
    alert = StaffAlert(kind=kind, message=message, ticket_reference=reference, raised_by=g.principal.subject,
                       created_at=dt.datetime.now())
    db().add(alert)
    db().commit()
    return jsonify(s.staff_alert(alert)), 201
