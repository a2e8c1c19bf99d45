"""Help-desk metrics over the tickets raised in a period (a cohort): each function's docstring is the
definition shown next to its chart."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from foundation.vocabulary import AllocationState

from . import summary

DEFINITIONS = {
    "volume": "Tickets raised in the period (by the time they were raised), by their state now, product and locale.",
    "time_to_assign": "Hours from a ticket being raised to an expert accepting it, for tickets raised in the "
                      "period that were accepted; median and 90th percentile (nearest rank).",
    "time_to_close": "Hours from a ticket being raised to it being closed, for tickets raised in the period "
                     "that are closed; median and 90th percentile (nearest rank).",
    "offers": "Among tickets raised in the period: offers refused by experts, offers that timed out without an "
              "answer, and re-offers (every offer after a ticket's first).",
    "unassigned": "Tickets waiting for an expert right now (unassigned or not yet dispatched), and for how long "
                  "since they last entered that state.",
    "reopened": "Tickets raised in the period that were reopened after being closed, and how many times.",
    "lost": "Tickets in no visible state (no state, or one no screen lists) or marked offered with no open "
            "offer: nobody would ever act on them. Must be zero.",
    "experts": "Per expert, over tickets raised in the period: offers, accepted, refused (with reasons), timed "
               "out; acceptance rate = accepted / (accepted + refused + timed out); median hours to close the "
               "tickets they closed; load = slots held or booked from now on; survey score = mean of all "
               "their survey answers (1-5).",
}


def _percentile_of(ordered: Sequence[Any] | np.ndarray, p: float, value: Callable[[Any], float]) -> float | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    return value(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]) if len(ordered) else None


def _median_of(ordered: Sequence[Any] | np.ndarray, value: Callable[[Any], float]) -> float | None:
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return value(ordered[mid]) if n % 2 else (value(ordered[mid - 1]) + value(ordered[mid])) / 2


def _as_is(value: float) -> float:
    return value


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    return _percentile_of(sorted(values), p, _as_is)


def median(values: list[float]) -> float | None:
    return _median_of(sorted(values), _as_is)


def _hours(seconds: int) -> float:
    return int(seconds) / 3600


def sorted_median(ordered: np.ndarray) -> float | None:
    """median() of sorted whole seconds, in hours (the same arithmetic on the same values)."""
    return _median_of(ordered, _hours)


def sorted_percentile(ordered: np.ndarray, p: float) -> float | None:
    """percentile() of sorted whole seconds, in hours."""
    return _percentile_of(ordered, p, _hours)


@dataclass
class TicketOps:
    raised: int
    by_state: dict[str, int]
    by_product: dict[Any, int]
    by_locale: dict[Any, int]
    assign_seconds: np.ndarray  # sorted
    close_seconds: np.ndarray  # sorted
    refused: int
    timed_out: int
    re_offers: int
    reopened_tickets: int
    reopen_events: int

    @classmethod
    def of(cls, s: summary.Summary) -> "TicketOps":
        return cls(raised=s.raised, by_state=dict(s.by_state), by_product=dict(s.by_product),
                   by_locale=dict(s.by_locale), assign_seconds=np.sort(s.array("assign")),
                   close_seconds=np.sort(s.array("close")), refused=s.refused, timed_out=s.timed_out,
                   re_offers=s.re_offers, reopened_tickets=s.reopened_tickets, reopen_events=s.reopen_events)

    @property
    def assign_hours(self) -> list[float]:
        return [_hours(x) for x in self.assign_seconds.tolist()]

    @property
    def close_hours(self) -> list[float]:
        return [_hours(x) for x in self.close_seconds.tolist()]

    @property
    def assign_median(self) -> float | None:
        return sorted_median(self.assign_seconds)

    @property
    def assign_p90(self) -> float | None:
        return sorted_percentile(self.assign_seconds, 90)

    @property
    def close_median(self) -> float | None:
        return sorted_median(self.close_seconds)

    @property
    def close_p90(self) -> float | None:
        return sorted_percentile(self.close_seconds, 90)


def ticket_ops(tickets: list[dict[str, Any]]) -> TicketOps:
    return TicketOps.of(summary.summarise(tickets))


def waiting(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The unassigned queue now, longest waiting first, with hours waited."""
    out = [{**r, "hours": round(summary.hours_between(r["waiting_since"], now.replace(microsecond=0).isoformat()), 1)}
           for r in rows]
    return sorted(out, key=lambda r: -r["hours"])


@dataclass
class ExpertLine:
    expert_id: int
    name: str
    load: int
    offers: int
    accepted: int
    refused: int
    timed_out: int
    reasons: dict[str, int]
    close_seconds: np.ndarray  # sorted: the tickets they closed
    score: float | None
    answers: int

    @property
    def close_hours(self) -> list[float]:
        return [_hours(v) for v in self.close_seconds.tolist()]

    @property
    def acceptance_rate(self) -> float | None:
        answered = self.accepted + self.refused + self.timed_out
        return round(self.accepted / answered, 3) if answered else None

    @property
    def close_median(self) -> float | None:
        return sorted_median(self.close_seconds)


def expert_lines(tickets: list[dict[str, Any]], experts: list[dict[str, Any]]) -> list[ExpertLine]:
    return expert_lines_of(summary.summarise(tickets), experts)


def expert_lines_of(s: summary.Summary, experts: list[dict[str, Any]]) -> list[ExpertLine]:
    ids = np.array([e["id"] for e in experts], dtype=np.int64)
    order = np.argsort(ids)
    # Offers and outcomes per expert: one bincount over (expert position, outcome).
    allocated, outcomes = s.array("alloc_expert"), s.array("alloc_outcome")
    position = _positions(ids, order, allocated)
    known = position >= 0
    counts = np.bincount(position[known] * len(summary.OUTCOMES) + outcomes[known],
                         minlength=len(ids) * len(summary.OUTCOMES)).reshape(len(ids), len(summary.OUTCOMES))
    # Seconds to close per closing expert: sorted by (expert position, seconds), then sliced.
    closer, seconds = s.array("closer_expert"), s.array("closer_seconds")
    closer_position = _positions(ids, order, closer)
    keep = closer_position >= 0
    closer_position, seconds = closer_position[keep], seconds[keep]
    by = np.lexsort((seconds, closer_position))
    closer_position, seconds = closer_position[by], seconds[by]
    starts = np.searchsorted(closer_position, np.arange(len(ids) + 1))
    reasons: dict[int, dict[str, int]] = {}
    for (x, reason), n in s.reasons.items():
        reasons.setdefault(x, {})[reason] = n
    code = {name: i for i, name in enumerate(summary.OUTCOMES)}
    rows = counts.tolist()
    lines = []
    for i, e in enumerate(experts):
        x = e["id"]
        row = rows[i]
        accepted, refused, timed_out = (row[code[state]] for state in (
            AllocationState.ACCEPTED, AllocationState.REFUSED, AllocationState.TIMED_OUT))
        lines.append(ExpertLine(x, f"{e.get('first_name') or ''} {e.get('last_name') or ''}".strip() or f"#{x}",
                                e.get("load") or 0, sum(row), accepted, refused, timed_out, reasons.get(x, {}),
                                seconds[starts[i]:starts[i + 1]],
                                round(e["score"], 2) if e.get("score") is not None else None, e.get("answers") or 0))
    return lines


def _positions(ids: np.ndarray, order: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Each wanted id's index in `ids` (sorted by `order`), -1 where it is not there."""
    if not len(ids):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.searchsorted(ids[order], wanted)
    at = np.minimum(at, len(ids) - 1)
    found = ids[order][at] == wanted
    return np.where(found, order[at], -1)
