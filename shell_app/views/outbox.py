from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, render_template
from sqlalchemy import select

from shell_app.outbox.transports import read_sms_log

from ..access import allow
from ..models import STAFF_ROLES, Notification, StaffAlert

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
@allow(*STAFF_ROLES)
def index():
    """What the system sent or tried to send: notifications, the local SMS gateway log, staff alerts."""
    notifications = g.db.scalars(select(Notification).order_by(Notification.id.desc()).limit(100)).all()
    alerts = g.db.scalars(select(StaffAlert).order_by(StaffAlert.id.desc()).limit(50)).all()
    sms = read_sms_log(Path(current_app.config.get("SMS_LOG", "var/outbox/sms.log")), limit=100)
    # The legacy rows stay listed while any is unsent (the messages it still holds) or on the screen's
    # own, without the notifications service; everything new is the service's outbox slot.
    legacy_open = any(n.status == "queued" for n in notifications)
    return render_template("shell/outbox.html", notifications=notifications, alerts=alerts, sms=sms,
                           legacy_open=legacy_open)
