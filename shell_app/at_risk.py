"""The monolith's side of what operators watch (Prometheus gauges, read at scrape time): messages not
yet delivered, messages that failed for good, and legacy tickets not yet moved to the graph."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .models import LegacyTicket, Notification


def at_risk(engine: Engine) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        queued = conn.scalar(select(func.count()).select_from(Notification).where(Notification.status == "queued"))
        failed = conn.scalar(select(func.count()).select_from(Notification).where(Notification.status == "failed"))
        remaining = conn.scalar(select(func.count()).select_from(LegacyTicket).where(LegacyTicket.migrated_at.is_(None)))
    return [
        ("sysops_outbox_backlog", "Messages queued and not yet delivered", queued),
        ("sysops_outbox_failed", "Messages that failed after every attempt (staff were alerted)", failed),
        ("sysops_migration_remaining", "Legacy tickets not yet copied to the graph", remaining),
    ]
