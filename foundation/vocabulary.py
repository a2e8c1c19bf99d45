"""Words every part of the system must agree on: roles, appointment periods, ticket states.

Defined once here so that the monolith, the graph store and each fragment cannot drift apart.
"""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

# Who logs in to the monolith, and which of them are staff (they see every customer's records).
ROLES = ("customer", "call_centre", "manager", "admin", "expert")
STAFF_ROLES = ("call_centre", "manager", "admin")
# Staff who may change tickets on a customer's behalf (managers only read).
STAFF_WRITERS = ("call_centre", "admin")

# Appointment periods: a slot is a date plus one of these four-hour windows, starting at the hour.
PERIODS = {"morning": 8, "afternoon": 12, "evening": 16}
SLOT_HOURS = 4
SLOT_LENGTH = dt.timedelta(hours=SLOT_HOURS)
# An expert may say "on my way" to a visit from this long before its slot starts until the slot ends
# (an 08:00 visit from 20:00 the evening before): ticketing enforces it, the experts' page offers it.
SET_OFF_AHEAD = dt.timedelta(hours=12)


def period_of(starts_at: dt.datetime) -> str | None:
    """The period a slot start falls on (None if it is not one of PERIODS' hours)."""
    return next((name for name, hour in PERIODS.items() if hour == starts_at.hour), None)


class TicketState(StrEnum):
    """Every state a ticket of the new system can be in; each one is listed on some screen."""
    NEW = "new"                  # stored, assignment not yet attempted
    OFFERED = "offered"          # one expert holds an offer with the slot held
    ASSIGNED = "assigned"        # an expert accepted; the slot is booked
    UNASSIGNED = "unassigned"    # no expert could take it: in the staff queue
    IN_PROGRESS = "in_progress"  # the expert is working on it (legacy tickets arrive in it too)
    CLOSED = "closed"
    CANCELLED = "cancelled"


VISIBLE_STATES = tuple(state.value for state in TicketState)


class AllocationState(StrEnum):
    """Where an expert's allocation to a ticket stands: an offer stays open until it closes one way.
    Shared vocabulary: ticketing writes them, the experts' pages and the reports read them."""
    OFFERED = "offered"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    TIMED_OUT = "timed_out"
    WITHDRAWN = "withdrawn"

# The legacy system's own ticket states, as the seam reads them.
LEGACY_OPEN = ("open", "assigned", "in_progress")          # not finished: moved eagerly at the cut-over
LEGACY_HOLDING = ("assigned", "in_progress")               # an expert was sent and has not finished
LEGACY_ACCEPTED = ("assigned", "in_progress", "closed")    # an expert took it on
OPEN_STATES = frozenset({TicketState.NEW, TicketState.OFFERED, TicketState.ASSIGNED, TicketState.UNASSIGNED,
                         TicketState.IN_PROGRESS})


def iso(moment: dt.datetime) -> str:
    """How every store writes a moment: ISO 8601 to the second, local time without an offset."""
    return moment.replace(microsecond=0).isoformat()
