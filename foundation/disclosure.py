"""What a customer may read of a ticket's history, in the legacy screens and in the new ticketing alike:
what happened for them, not who inside did it, nor how the search for an expert went (who was asked,
who said no and why: an expert's refusal reason is an internal note). Staff and experts see it all."""
from __future__ import annotations

from dataclasses import dataclass

PUBLIC_ACTOR = "Sysops Squad"
OWN_ACTOR = "You"
# The assignment's inner workings: offers, refusals, time-outs, withdrawals, retries.
INTERNAL_ACTIONS = frozenset({"offered", "refused", "timed_out", "withdrawn", "retry"})
CUSTOMER_WORDING = {
    "accepted": "An expert accepted your appointment.",
    "unassigned": "We are looking for an expert for your appointment.",
    "assigned": "An expert is assigned to your appointment.",
}


@dataclass(frozen=True)
class Shown:
    actor: str
    detail: str


def for_customer(action: str, actor: str, detail: str, own_username: str) -> Shown | None:
    """The entry as the customer sees it, or None when it is internal."""
    if action in INTERNAL_ACTIONS:
        return None
    is_own = actor == own_username or actor.rpartition(":")[2] == own_username
    return Shown(OWN_ACTOR if is_own else PUBLIC_ACTOR, CUSTOMER_WORDING.get(action, detail))
