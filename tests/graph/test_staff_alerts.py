"""Staff alerts kept by the notifications service (ADR 0036), on both graph backends: raised, listed
newest first, and the monolith's own alerts copied once each, by their keys, before it is retired."""
from __future__ import annotations

import datetime as dt

from fragments.notifications.adapters.alerts import GraphStaffAlerts, take_legacy
from fragments.notifications.domain.alerts import StaffAlert
from tests.support.fake_bridge import FakeBridgeClient

NOW = dt.datetime(2026, 12, 5, 9, 0)


def test_alerts_are_kept_listed_newest_first_and_the_monoliths_copied_once(graph_backend):
    alerts = GraphStaffAlerts(graph_backend)
    stored = alerts.add([StaffAlert("sla-50", "Half the time is gone", "N-7", "ticketing", NOW),
                         StaffAlert("ticket-unassigned", "Nobody free for N-8", "N-8", "ticketing",
                                    NOW + dt.timedelta(minutes=5))])
    assert all(a.key.startswith("alert:") for a in stored) and len({a.key for a in stored}) == 2
    bridge = FakeBridgeClient()
    bridge.raise_staff_alert("notification-failed", "A text to customer 3 failed for good")
    bridge.raise_staff_alert("ticket-unassigned", "Nobody free for N-2", "N-2")
    assert take_legacy(alerts, bridge, batch_size=1) == (2, 2)
    assert take_legacy(alerts, bridge) == (2, 0)  # run again: nothing stored twice
    assert alerts.count("legacy") == 2 and alerts.count("new") == 2
    newest = alerts.recent(3)
    assert [a.kind for a in newest] == ["ticket-unassigned", "sla-50", "ticket-unassigned"]
    assert newest[2].key == "legacy:2" and newest[2].source == "legacy" and newest[2].ticket_reference == "N-2"
    assert newest[0].raised_at == NOW + dt.timedelta(minutes=5)
