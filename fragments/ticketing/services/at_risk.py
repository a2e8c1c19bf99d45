"""The figures that say a ticket is at risk, for the operators' dashboards (Prometheus gauges)."""
from __future__ import annotations

from ..domain.states import State
from .orchestrator import FOLLOW_UP_AFTER
from .ports import Clock, Offers, Tickets

# Counted up to this many; beyond it the dashboard's alarm has long gone off.
CAP = 10_000


def at_risk(tickets: Tickets, offers: Offers, clock: Clock) -> list[tuple[str, str, float]]:
    now = clock()
    return [
        ("sysops_tickets_unassigned", "Tickets in the staff queue: nobody could take them",
         len(tickets.list(statuses=[State.UNASSIGNED], limit=CAP, summary=True))),
        ("sysops_offers_due", "Offers past their expiry that no worker has timed out yet",
         len(offers.due_offers(now, CAP))),
        ("sysops_followups_pending", "Tickets left unconfirmed or undispatched longer than the worker's sweep allows",
         len(tickets.needing_follow_up(now - FOLLOW_UP_AFTER, CAP))),
    ]
