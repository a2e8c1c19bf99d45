"""What the metrics need to know about a set of tickets, in a form that adds up.

A Summary of the tickets raised on one day holds a few counters and, for everything measured per
ticket or per offer, one compact array entry each: the seconds each ticket took to be assigned and
to be closed, each allocation's expert and outcome, each closed ticket's closing expert and seconds.
Two summaries merge by adding the counters and appending the arrays, so a period's figures are the
merge of its days' summaries, exact (medians and percentiles are taken over every value), and the
cost of a merge is numpy's, not one Python object per ticket. Stores write moments to the second,
so every duration is a whole number of seconds.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from foundation.vocabulary import AllocationState

# An allocation in one of these states was an offer to an expert (every allocation the stores write is).
OFFER_STATES = tuple(AllocationState)
# Allocation outcomes the expert table counts, by code; every other state is code 0 (an offer still).
OUTCOMES = ("other", AllocationState.ACCEPTED, AllocationState.REFUSED, AllocationState.TIMED_OUT)
_OUTCOME_CODE = {name: code for code, name in enumerate(OUTCOMES)}
SECONDS, EXPERT, OUTCOME = np.dtype("<i4"), np.dtype("<i4"), np.dtype("u1")
FORMAT = 3  # of the stored form (to_json); a summary kept in another is computed again


class UnknownFormat(ValueError):
    """A stored summary written by another version of this code."""


ARRAYS: dict[str, np.dtype[Any]] = {"assign": SECONDS, "close": SECONDS, "alloc_expert": EXPERT, "alloc_outcome": OUTCOME,
          "closer_expert": EXPERT, "closer_seconds": SECONDS}


def seconds_between(start: str, end: str) -> int:
    return round((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds())


def hours_between(start: str, end: str) -> float:
    return seconds_between(start, end) / 3600


def accepted_at(ticket: dict[str, Any]) -> str | None:
    """When the ticket's first accepted offer was accepted (legacy allocations carry only `at`)."""
    times = [a.get("closed_at") or a.get("at") for a in ticket["allocations"] if a["state"] == AllocationState.ACCEPTED]
    times = [t for t in times if t]
    return min(times) if times else None


def refusal_reason(allocation: dict[str, Any]) -> str:
    return (allocation.get("reason") or "no reason given").split(":")[0]


class _Column:
    """An array that grows by appending values or whole arrays, joined once when read."""

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self.chunks: list[np.ndarray] = []
        self.values: list[int] = []

    def array(self) -> np.ndarray:
        if self.values:
            self.chunks.append(np.array(self.values, dtype=self.dtype))
            self.values = []
        if len(self.chunks) != 1:
            self.chunks = [np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=self.dtype)]
        return self.chunks[0]


@dataclass
class Summary:
    raised: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    by_product: Counter[int | None] = field(default_factory=Counter)
    by_locale: Counter[int | None] = field(default_factory=Counter)
    refused: int = 0
    timed_out: int = 0
    re_offers: int = 0
    reopened_tickets: int = 0
    reopen_events: int = 0
    reasons: Counter[tuple[int, str]] = field(default_factory=Counter)  # (expert id, reason) -> refusals
    columns: dict[str, _Column] = field(default_factory=lambda: {k: _Column(t) for k, t in ARRAYS.items()})

    def add(self, t: dict[str, Any]) -> None:
        """One ticket's contribution: the metric definitions (metrics.DEFINITIONS) for one ticket."""
        c = self.columns
        self.raised += 1
        self.by_state[t["status"]] += 1
        self.by_product[t["product_id"]] += 1
        self.by_locale[t["locale_id"]] += 1
        if (accepted := accepted_at(t)) is not None:
            c["assign"].values.append(seconds_between(t["created_at"], accepted))
        closed = seconds_between(t["created_at"], t["closed_at"]) \
            if t["status"] == "closed" and t.get("closed_at") else None
        if closed is not None:
            c["close"].values.append(closed)
        states = [a["state"] for a in t["allocations"]]
        self.refused += states.count(AllocationState.REFUSED)
        self.timed_out += states.count(AllocationState.TIMED_OUT)
        self.re_offers += max(0, sum(1 for s in states if s in OFFER_STATES) - 1)
        if t.get("reopened"):
            self.reopened_tickets += 1
            self.reopen_events += int(t["reopened"])
        for a in t["allocations"]:
            c["alloc_expert"].values.append(a["expert_id"])
            c["alloc_outcome"].values.append(_OUTCOME_CODE.get(a["state"], 0))
            if a["state"] == AllocationState.REFUSED:
                self.reasons[(a["expert_id"], refusal_reason(a))] += 1
        closer = next((a["expert_id"] for a in t["allocations"] if a["state"] == AllocationState.ACCEPTED), None)
        if closer is not None and closed is not None:
            c["closer_expert"].values.append(closer)
            c["closer_seconds"].values.append(closed)

    def merge(self, other: "Summary") -> "Summary":
        self.raised += other.raised
        self.by_state.update(other.by_state)
        self.by_product.update(other.by_product)
        self.by_locale.update(other.by_locale)
        self.reasons.update(other.reasons)
        self.refused += other.refused
        self.timed_out += other.timed_out
        self.re_offers += other.re_offers
        self.reopened_tickets += other.reopened_tickets
        self.reopen_events += other.reopen_events
        for name, column in self.columns.items():
            column.chunks.append(other.columns[name].array())
        return self

    def array(self, name: str) -> np.ndarray:
        return self.columns[name].array()

    def __eq__(self, other: object) -> bool:
        """The same tickets summarised: equal counters and the same values in every array (in any order)."""
        if not isinstance(other, Summary):
            return NotImplemented
        mine, theirs = self._counters(), other._counters()
        return mine == theirs and all(self._sorted_rows(name) == other._sorted_rows(name) for name in
                                      ("assign", "close", "alloc", "closer"))

    def _counters(self) -> tuple[Any, ...]:
        return (self.raised, dict(self.by_state), dict(self.by_product), dict(self.by_locale), self.refused,
                self.timed_out, self.re_offers, self.reopened_tickets, self.reopen_events, dict(self.reasons))

    def _sorted_rows(self, name: str) -> list[Any]:
        if name in ("alloc", "closer"):
            second = "alloc_outcome" if name == "alloc" else "closer_seconds"
            return sorted(zip(self.array(f"{name}_expert").tolist(), self.array(second).tolist()))
        return sorted(self.array(name).tolist())

    def to_json(self) -> str:
        """Counters as [key, count] pairs (keys keep their type: ids are ints, a missing one is null);
        arrays as base64 of their little-endian bytes."""
        return json.dumps({
            "format": FORMAT, "raised": self.raised, "by_state": _pairs(self.by_state), "by_product": _pairs(self.by_product),
            "by_locale": _pairs(self.by_locale), "refused": self.refused, "timed_out": self.timed_out,
            "re_offers": self.re_offers, "reopened_tickets": self.reopened_tickets,
            "reopen_events": self.reopen_events, "reasons": [[x, r, n] for (x, r), n in self.reasons.items()],
            "arrays": {name: base64.b64encode(self.array(name).tobytes()).decode("ascii") for name in ARRAYS}},
            separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UnknownFormat("a summary stored in another format")
        summary = cls(raised=data["raised"], by_state=_counter(data["by_state"]),
                      by_product=_counter(data["by_product"]), by_locale=_counter(data["by_locale"]),
                      refused=data["refused"], timed_out=data["timed_out"], re_offers=data["re_offers"],
                      reopened_tickets=data["reopened_tickets"], reopen_events=data["reopen_events"],
                      reasons=Counter({(x, r): n for x, r, n in data["reasons"]}))
        for name, dtype in ARRAYS.items():
            summary.columns[name].chunks.append(np.frombuffer(base64.b64decode(data["arrays"][name]), dtype=dtype))
        return summary


def _pairs(counter: Counter[Any]) -> list[list[Any]]:
    return [[k, n] for k, n in counter.items()]


def _counter(rows: list[list[Any]]) -> Counter[Any]:
    return Counter({k: n for k, n in rows})


def summarise(tickets: list[dict[str, Any]]) -> Summary:
    summary = Summary()
    for ticket in tickets:
        summary.add(ticket)
    return summary
