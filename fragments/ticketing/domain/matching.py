"""Which ticket gets which expert and slot when several compete for the same few (issue 27).

One assignment problem for the competing tickets (scipy's `linear_sum_assignment`, the Hungarian
method): every ticket may take one of its options (an expert free at one of its slots) or go without,
and the plan breaches as little as it can. A visit after the ticket's promise costs one breach; a ticket
left without an expert costs two (its visit and its accepted expert). Among plans that breach alike,
the more urgent tickets (nearest breach first) are the ones kept on time and served, and each ticket
gets the slot it prefers most.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

Resource = tuple[int, str]  # (expert id, slot start)
LATE, UNSERVED = 1.0, 2.0  # breaches: a late visit; a ticket nobody takes (its visit and its expert)
NOT_AN_OPTION = 1e6


@dataclass(frozen=True)
class Option:
    expert_id: int
    slot: str  # ISO start
    on_time: bool  # starts by the ticket's visit promise

    @property
    def resource(self) -> Resource:
        return self.expert_id, self.slot


def plan_offers(tickets: list[tuple[int, list[Option]]]) -> dict[int, Option]:
    """`tickets` most urgent first, each with its options in its order of preference: ticket id -> the
    option it is offered (tickets the plan leaves without one are left out)."""
    if not tickets:
        return {}
    resources = sorted({o.resource for _, options in tickets for o in options})
    column = {r: c for c, r in enumerate(resources)}
    n, most = len(tickets), max((len(options) for _, options in tickets), default=0)
    urgency_step = 0.4 / n  # below one breach however many tickets: urgency only breaks ties
    preference_step = urgency_step / (most + 1)  # below one step of urgency
    cost = np.full((n, len(resources) + n), NOT_AN_OPTION)
    for row, (_, options) in enumerate(tickets):
        weight = (n - row) * urgency_step  # the more urgent, the dearer its breach
        for rank, option in enumerate(options):
            price = (0.0 if option.on_time else LATE + weight) + rank * preference_step
            cost[row, column[option.resource]] = min(cost[row, column[option.resource]], price)
        cost[row, len(resources) + row] = UNSERVED + 2 * weight  # going without: its own column
    rows, columns = linear_sum_assignment(cost)
    plan = {}
    for row, col in zip(rows, columns):
        if col < len(resources) and cost[row, col] < NOT_AN_OPTION:
            ticket_id, options = tickets[row]
            plan[ticket_id] = next(o for o in options if o.resource == resources[col])
    return plan
