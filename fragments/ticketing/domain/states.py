"""Which actions move a ticket from which state to which.

The states themselves are shared vocabulary (foundation.vocabulary.TicketState). Each is a visible
one: staff can list tickets by any of them, so no ticket is ever in a state nobody looks at
("lost"). `unassigned` is the staff queue.
"""
from __future__ import annotations

from foundation.vocabulary import OPEN_STATES as OPEN
from foundation.vocabulary import TicketState as State

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
}


class TransitionRefused(Exception):
    def __init__(self, action: str, state: str):
        super().__init__(f"cannot {action.replace('_', ' ')} a ticket that is {state.replace('_', ' ')}")
        self.action = action
        self.state = state


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
