"""Staff alerts in the graph, the StaffAlerts port: one `StaffAlert` node per alert, unique by key,
listed newest first by `at_s` (seconds since the epoch: a range index over a number is to be trusted)."""
from __future__ import annotations

import builtins
import datetime as dt
import uuid
from typing import Any

from bridge_client import BridgeClient
from graph_store.backends import GraphBackend
from graph_store.errors import port_errors
from graph_store.writes import in_place

from ..domain.alerts import StaffAlert
from ..services.ports import NotificationsStoreError

PROPERTIES = ("key", "kind", "message", "ticket_reference", "raised_by", "raised_at", "at_s", "source")
ADD = f"UNWIND $items AS item CREATE (a:StaffAlert {{{in_place(PROPERTIES, 'item')}}}) RETURN count(a) AS n"
# A legacy alert already held (a copy run again) is found by its key, not stored twice.
COPY = f"""
UNWIND $items AS item
OPTIONAL MATCH (held:StaffAlert {{key: item.key}})
FOREACH (_ IN CASE WHEN held IS NULL THEN [1] ELSE [] END | CREATE (:StaffAlert {{{in_place(PROPERTIES, 'item')}}}))
RETURN sum(CASE WHEN held IS NULL THEN 1 ELSE 0 END) AS created
"""
RECENT = "MATCH (a:StaffAlert) WITH a ORDER BY a.at_s DESC, a.key DESC LIMIT $limit RETURN properties(a) AS a"
COUNT = "MATCH (a:StaffAlert) WHERE a.source = $source RETURN count(a) AS n"


def _row(alert: StaffAlert) -> dict[str, Any]:
    return {**alert.as_dict(), "at_s": alert.raised_at.timestamp()}


def _alert(row: dict[str, Any]) -> StaffAlert:
    return StaffAlert(kind=row["kind"], message=row["message"], ticket_reference=row.get("ticket_reference"),
                      raised_by=row.get("raised_by") or "", raised_at=dt.datetime.fromisoformat(row["raised_at"]),
                      key=row["key"], source=row.get("source") or "new")


@port_errors(NotificationsStoreError)
class GraphStaffAlerts:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def add(self, alerts: builtins.list[StaffAlert]) -> builtins.list[StaffAlert]:
        keyed = [StaffAlert(**{**a.__dict__, "key": a.key or f"alert:{uuid.uuid4().hex}"}) for a in alerts]
        if keyed:
            self.db.write(ADD, {"items": [_row(a) for a in keyed]})
        return keyed

    def copy_legacy(self, alerts: builtins.list[StaffAlert]) -> int:
        if not alerts:
            return 0
        return int(self.db.write(COPY, {"items": [_row(a) for a in alerts]})[0]["created"])

    def recent(self, limit: int) -> builtins.list[StaffAlert]:
        return [_alert(row["a"]) for row in self.db.read(RECENT, {"limit": limit})]

    def count(self, source: str) -> int:
        return int(self.db.read(COUNT, {"source": source})[0]["n"])


def legacy_alert(row: dict[str, Any]) -> StaffAlert:
    """An alert as the monolith's bridge lists it, as this service keeps it."""
    return StaffAlert(kind=row["kind"], message=row["message"], ticket_reference=row.get("ticket_reference"),
                      raised_by=row.get("raised_by") or "", raised_at=dt.datetime.fromisoformat(row["created_at"]),
                      key=f"legacy:{row['id']}", source="legacy")


def take_legacy(alerts: GraphStaffAlerts, bridge: BridgeClient, batch_size: int = 200) -> tuple[int, int]:
    """Copy every alert the monolith holds (create-only by key, so a run again copies only what is new):
    (seen, copied). The monolith's alerts are history by then: ticketing raises its alerts here, and the
    monolith's outbox worker, the only other writer, has nothing left to send once the outbox moved."""
    seen = copied = 0
    batch: builtins.list[StaffAlert] = []
    for row in bridge.staff_alerts():
        batch.append(legacy_alert(row))
        seen += 1
        if len(batch) == batch_size:
            copied += alerts.copy_legacy(batch)
            batch = []
    return seen, copied + alerts.copy_legacy(batch)
