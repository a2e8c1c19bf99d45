"""Staff and managers are told when an open ticket has used 50, 75 and 100% of the time its plan
promises (to an accepted expert; to the visit), once each, as staff alerts. The moments were computed at
the raise on the plan's working calendar (`sla_alerts`); an alert about the accepted expert is dropped
once one has accepted. A notifications service that does not take the alerts now gets them at the next
sweep."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from foundation import times
from foundation.vocabulary import TicketState

from .ports import Clock, NotificationsUnavailable, StaffAlerts, Tickets, staff_alert

log = logging.getLogger(__name__)
WAITING_FOR_AN_EXPERT = (TicketState.NEW, TicketState.OFFERED, TicketState.UNASSIGNED)
PROMISE = {"accept": "an accepted expert", "visit": "the visit"}


def schedule(row: dict[str, Any]) -> list[tuple[str, dt.datetime]]:
    return [(name, dt.datetime.fromisoformat(at)) for name, _, at in
            (entry.partition("@") for entry in row.get("sla_alerts") or [])]


class ServiceLevelAlerts:
    def __init__(self, tickets: Tickets, staff_alerts: StaffAlerts, clock: Clock):
        self.tickets, self.staff_alerts, self.clock = tickets, staff_alerts, clock

    def sweep(self) -> int:
        """Send the alerts due now; how many were sent."""
        now = self.clock()
        alerts, marks = [], []
        for row in self.tickets.alerts_due(now):
            told = set(row.get("sla_told") or [])
            waiting = row["status"] in WAITING_FOR_AN_EXPERT
            moments = schedule(row)
            relevant = [(name, at) for name, at in moments if name not in told
                        and (name.startswith("visit") or waiting)]
            due = [(name, at) for name, at in relevant if at <= now]
            dropped = {name for name, _ in moments if name.startswith("accept") and not waiting}
            alerts += [self._alert(row["reference"], name, dict(moments)) for name, _ in due]
            upcoming = [at for _, at in relevant if at > now]
            marks.append((row["id"], sorted(told | dropped | {name for name, _ in due}), min(upcoming, default=None)))
        if alerts:
            try:
                self.staff_alerts.raise_alerts(alerts)
            except NotificationsUnavailable as exc:  # told at the next sweep; nothing is marked
                log.warning("%d service-level alerts not raised yet: %s", len(alerts), exc)
                return 0
        for ticket_id, told_now, next_at in marks:
            self.tickets.alerts_told(ticket_id, told_now, next_at)
        return len(alerts)

    @staticmethod
    def _alert(reference: str, name: str, moments: dict[str, dt.datetime]) -> dict[str, Any]:
        promise, _, level = name.partition(":")
        due = moments[f"{promise}:100"]
        text = (f"Ticket {reference} has breached its plan's promise of {PROMISE[promise]} by {times.moment(due)}."
                if level == "100" else
                f"Ticket {reference} has used {level}% of the time to {PROMISE[promise]} (due {times.moment(due)}).")
        return staff_alert(f"sla-{level}", text, ticket_reference=reference)
