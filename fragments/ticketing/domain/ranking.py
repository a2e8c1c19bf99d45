"""Which expert gets the offer: the least loaded, then the best surveyed, then whoever waited longest."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    expert_id: int
    free_slots: tuple[str, ...]  # ISO slot starts, among the customer's, at which the expert is free
    load: int                    # upcoming held or booked slots
    score: float                 # survey score (0-5; 0 when never surveyed)
    last_offered_at: str         # ISO time of the expert's last offer ('' if never): fairness


def rank(candidates: list[Candidate]) -> list[Candidate]:
    return sorted((c for c in candidates if c.free_slots),
                  key=lambda c: (c.load, -c.score, c.last_offered_at, c.expert_id))


def preferred_slot(candidate: Candidate, customer_slots: list[dt.datetime]) -> str | None:
    """The customer's most preferred slot at which this expert is free."""
    free = set(candidate.free_slots)
    return next((s.isoformat() for s in customer_slots if s.isoformat() in free), None)
