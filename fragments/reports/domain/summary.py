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
import zlib
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
ID, MOMENT = np.dtype("<i4"), np.dtype("<i8")
FORMAT = 4  # of the stored form (to_json); a summary kept in another is computed again
NONE = -1  # in an id array: no plan, product or locale


class UnknownFormat(ValueError):
    """A stored summary written by another version of this code."""


# Plan promises (service_levels.promises_of), as rows keyed by the ticket's plan, product and locale and
# the promise's kind. A promise met is decided for good (kept or breached): rows of (key, breached, how
# many), added up per key when kept, so a day holds one row per key rather than one per promise. A
# promise not met yet is judged when read (breached once past due): one row each, with its deadline.
SLA_KEYS = ("plan", "product", "locale")
ARRAYS: dict[str, np.dtype[Any]] = {"assign": SECONDS, "close": SECONDS, "alloc_expert": EXPERT, "alloc_outcome": OUTCOME,
          "closer_expert": EXPERT, "closer_seconds": SECONDS,
          "sla_plan": ID, "sla_product": ID, "sla_locale": ID, "sla_kind": OUTCOME, "sla_breached": OUTCOME,
          "sla_count": ID,
          "sla_open_plan": ID, "sla_open_product": ID, "sla_open_locale": ID, "sla_open_kind": OUTCOME,
          "sla_open_due": MOMENT}


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
    sla_unknown: int = 0  # tickets whose plan's promises could not be known (no terms, no contract found)
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
        promises = t.get("promises")
        if not promises:
            self.sla_unknown += 1
            return
        keys = [NONE if value is None else value for value in (t.get("plan_id"), t["product_id"], t["locale_id"])]
        for kind, due, met in promises:
            prefix = "sla_" if met else "sla_open_"
            for name, value in zip(SLA_KEYS, keys):
                c[prefix + name].values.append(value)
            c[prefix + "kind"].values.append(kind)
            if met:
                c["sla_breached"].values.append(int(met > due))
                c["sla_count"].values.append(1)
            else:
                c["sla_open_due"].values.append(due)

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
        self.sla_unknown += other.sla_unknown
        for name, column in self.columns.items():
            column.chunks.append(other.columns[name].array())
        return self

    def array(self, name: str) -> np.ndarray:
        return self.columns[name].array()

    def settled(self) -> "Summary":
        """This summary with every array joined: reading it changes nothing from then on, so it may be
        shared between threads."""
        for column in self.columns.values():
            column.array()
        return self

    def __eq__(self, other: object) -> bool:
        """The same tickets summarised: equal counters and the same values in every array (in any order)."""
        if not isinstance(other, Summary):
            return NotImplemented
        mine, theirs = self._counters(), other._counters()
        return mine == theirs and all(self._sorted_rows(name) == other._sorted_rows(name) for name in
                                      ("assign", "close", "alloc", "closer", "sla"))

    def _counters(self) -> tuple[Any, ...]:
        return (self.raised, dict(self.by_state), dict(self.by_product), dict(self.by_locale), self.refused,
                self.timed_out, self.re_offers, self.reopened_tickets, self.reopen_events, dict(self.reasons),
                self.sla_unknown)

    def _sorted_rows(self, name: str) -> list[Any]:
        if name == "sla":
            decided = self.decided_promises()
            pending = sorted(zip(*(self.array(f"sla_open_{part}").tolist() for part in (*SLA_KEYS, "kind", "due"))))
            return [sorted(zip(*(decided[part].tolist() for part in decided))), pending]
        if name in ("alloc", "closer"):
            second = "alloc_outcome" if name == "alloc" else "closer_seconds"
            return sorted(zip(self.array(f"{name}_expert").tolist(), self.array(second).tolist()))
        return sorted(self.array(name).tolist())

    def decided_promises(self) -> dict[str, np.ndarray]:
        """The promises met, one row per (plan, product, locale, kind, breached) with how many."""
        columns = [*(f"sla_{k}" for k in SLA_KEYS), "sla_kind", "sla_breached"]
        rows = np.stack([self.array(name).astype(np.int64) for name in columns], axis=1)
        counts = self.array("sla_count")
        if not len(rows):
            return {name: self.array(name) for name in (*columns, "sla_count")}
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        total = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(unique))
        out = {name: unique[:, i].astype(ARRAYS[name]) for i, name in enumerate(columns)}
        out["sla_count"] = total.astype(ARRAYS["sla_count"])
        return out

    def _compact(self) -> None:
        """The decided promises added up per key (what a kept summary stores)."""
        for name, values in self.decided_promises().items():
            self.columns[name].chunks, self.columns[name].values = [values], []

    def to_json(self) -> str:
        """The kept form: a JSON header (the counters as [key, count] pairs, keys keeping their type: ids
        are ints, a missing one is null; each array's length) followed by every array's little-endian
        bytes, zlib-compressed, in base64 behind a "z" (a day of the 100x data: ~25 KB)."""
        self._compact()
        header = json.dumps({
            "format": FORMAT, "raised": self.raised, "by_state": _pairs(self.by_state), "by_product": _pairs(self.by_product),
            "by_locale": _pairs(self.by_locale), "refused": self.refused, "timed_out": self.timed_out,
            "re_offers": self.re_offers, "reopened_tickets": self.reopened_tickets,
            "reopen_events": self.reopen_events, "sla_unknown": self.sla_unknown,
            "reasons": [[x, r, n] for (x, r), n in self.reasons.items()],
            "lengths": [len(self.array(name)) for name in ARRAYS]}, separators=(",", ":")).encode()
        body = b"".join([len(header).to_bytes(4, "little"), header, *(self.array(name).tobytes() for name in ARRAYS)])
        return "z" + base64.b64encode(zlib.compress(body, 1)).decode("ascii")

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        try:
            body = zlib.decompress(base64.b64decode(text[1:])) if text[:1] == "z" else b""
            size = int.from_bytes(body[:4], "little")
            data = json.loads(body[4:4 + size])
        except (ValueError, zlib.error):
            data = None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UnknownFormat("a summary stored in another format")
        summary = cls(raised=data["raised"], by_state=_counter(data["by_state"]),
                      by_product=_counter(data["by_product"]), by_locale=_counter(data["by_locale"]),
                      refused=data["refused"], timed_out=data["timed_out"], re_offers=data["re_offers"],
                      reopened_tickets=data["reopened_tickets"], reopen_events=data["reopen_events"],
                      sla_unknown=data["sla_unknown"],
                      reasons=Counter({(x, r): n for x, r, n in data["reasons"]}))
        at = 4 + size
        for (name, dtype), length in zip(ARRAYS.items(), data["lengths"]):
            summary.columns[name].chunks.append(np.frombuffer(body, dtype=dtype, count=length, offset=at))
            at += length * dtype.itemsize
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
