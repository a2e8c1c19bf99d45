"""Which actions move a ticket from which state to which.

The states themselves are shared vocabulary (foundation.vocabulary.TicketState). Each is a visible
one: staff can list tickets by any of them, so no ticket is ever in a state nobody looks at
("lost"). `unassigned` is the staff queue.
"""
from __future__ import annotations

from enum import StrEnum

from foundation.vocabulary import OPEN_STATES as OPEN
from foundation.vocabulary import AllocationState
from foundation.vocabulary import TicketState as State

__all__ = ["BINDING", "DISPATCHABLE", "OFFER_ENDINGS", "OPEN", "TRANSITIONS", "VISIBLE", "AllocationState",
           "BookingState", "DispatchOutcome", "RaiseChannel", "State", "TransitionRefused", "allowed_actions", "moves",
           "next_state"]


# The allocations that still bind an expert to a ticket (an open offer or a booking).
BINDING = (AllocationState.OFFERED, AllocationState.ACCEPTED)


class DispatchOutcome(StrEnum):
    """What one dispatch did with a ticket waiting for an expert."""
    OFFERED = "offered"
    UNASSIGNED = "unassigned"
    SKIPPED = "skipped"  # left waiting (the monolith was away); the worker tries again


class BookingState(StrEnum):
    HELD = "held"      # behind an open offer
    BOOKED = "booked"  # the expert accepted (or legacy work holds it)


class RaiseChannel(StrEnum):
    """How a ticket was raised: by the customer on the web, or by staff for a caller on the phone."""
    WEB = "web"
    PHONE = "phone"

    @classmethod
    def of(cls, role: str) -> "RaiseChannel":
        """The one rule: a customer raises on the web; anyone else raises for a customer who phoned."""
        return cls.WEB if role == "customer" else cls.PHONE

VISIBLE = frozenset(State)
# States from which assignment may (re)start.
DISPATCHABLE = frozenset({State.NEW, State.UNASSIGNED})

TRANSITIONS: dict[str, dict[State, State]] = {
    "offer": {State.NEW: State.OFFERED, State.UNASSIGNED: State.OFFERED},
    "accept": {State.OFFERED: State.ASSIGNED},
    "refuse": {State.OFFERED: State.UNASSIGNED},
    "time_out": {State.OFFERED: State.UNASSIGNED},
    "no_candidate": {State.NEW: State.UNASSIGNED, State.UNASSIGNED: State.UNASSIGNED},
    "start": {State.ASSIGNED: State.IN_PROGRESS},
    "close": {State.ASSIGNED: State.CLOSED, State.IN_PROGRESS: State.CLOSED},
    "reopen": {State.CLOSED: State.UNASSIGNED},
    "cancel": {s: State.CANCELLED for s in OPEN},
    "update": {s: s for s in OPEN},
    "note": {s: s for s in State},
    # The expert sets off to a booked visit: the customer is told; the ticket's state stays.
    "on_my_way": {State.ASSIGNED: State.ASSIGNED, State.IN_PROGRESS: State.IN_PROGRESS},
    # Staff wait on the customer (an answer, a part, access to the home) and take the ticket up again
    # when they answer: the state stays; the plan's deadlines pause meanwhile (service_levels.paused).
    "wait_on_customer": {s: s for s in (State.UNASSIGNED, State.ASSIGNED, State.IN_PROGRESS)},
    "customer_answered": {s: s for s in (State.UNASSIGNED, State.ASSIGNED, State.IN_PROGRESS)},
    # The customer confirms a booked visit (a link in a reminder); the state stays.
    "confirm_visit": {State.ASSIGNED: State.ASSIGNED, State.IN_PROGRESS: State.IN_PROGRESS},
    # Other slots for a ticket not yet being worked on (the customer's link, or staff for a visit at
    # risk): any booking or offer ends and assignment runs again.
    "reschedule": {State.NEW: State.NEW, State.OFFERED: State.NEW, State.ASSIGNED: State.NEW,
                   State.UNASSIGNED: State.NEW},
}


class TransitionRefused(Exception):
    def __init__(self, action: str, state: str):
        super().__init__(f"cannot {action.replace('_', ' ')} a ticket that is {state.replace('_', ' ')}")
        self.action = action
        self.state = state


# The action that ends an open offer with each outcome (accept books the slot; the rest free it).
OFFER_ENDINGS = {AllocationState.ACCEPTED: "accept", AllocationState.REFUSED: "refuse",
                 AllocationState.TIMED_OUT: "time_out", AllocationState.WITHDRAWN: "time_out"}


def moves(action: str) -> tuple[list[str], list[str]]:
    """The states `action` may move a ticket from, and where each leads (in the same order): what a
    query that applies the action in the store is given, so the table above is its one source."""
    table = TRANSITIONS[action]
    return [str(s) for s in table], [str(t) for t in table.values()]


def next_state(action: str, current: str) -> State:
    """The state `action` leads to from `current`, or TransitionRefused."""
    try:
        return TRANSITIONS[action][State(current)]
    except (KeyError, ValueError):
        raise TransitionRefused(action, current) from None


def allowed_actions(current: str) -> list[str]:
    try:
        state = State(current)
    except ValueError:
        return []
    return [action for action, moves in TRANSITIONS.items() if state in moves]
