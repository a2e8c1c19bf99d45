"""Help-desk metrics over the tickets raised in a period (a cohort): each function's docstring is the
definition shown next to its chart."""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

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


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def hours_between(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds() / 3600


def accepted_at(ticket: dict[str, Any]) -> str | None:
    """When the ticket's first accepted offer was accepted (legacy allocations carry only `at`)."""
    times = [a.get("closed_at") or a.get("at") for a in ticket["allocations"] if a["state"] == "accepted"]
    times = [t for t in times if t]
    return min(times) if times else None


@dataclass
class TicketOps:
    raised: int
    by_state: dict[str, int]
    by_product: dict[Any, int]
    by_locale: dict[Any, int]
    assign_hours: list[float]
    close_hours: list[float]
    refused: int
    timed_out: int
    re_offers: int
    reopened_tickets: int
    reopen_events: int

    @property
    def assign_median(self) -> float | None:
        return median(self.assign_hours)

    @property
    def assign_p90(self) -> float | None:
        return percentile(self.assign_hours, 90)

    @property
    def close_median(self) -> float | None:
        return median(self.close_hours)

    @property
    def close_p90(self) -> float | None:
        return percentile(self.close_hours, 90)


def ticket_ops(tickets: list[dict[str, Any]]) -> TicketOps:
    assign, close = [], []
    refused = timed_out = re_offers = reopened = reopen_events = 0
    for t in tickets:
        if (accepted := accepted_at(t)) is not None:
            assign.append(hours_between(t["created_at"], accepted))
        if t["status"] == "closed" and t.get("closed_at"):
            close.append(hours_between(t["created_at"], t["closed_at"]))
        states = [a["state"] for a in t["allocations"]]
        refused += states.count("refused")
        timed_out += states.count("timed_out")
        offers = sum(1 for s in states if s in ("offered", "accepted", "refused", "timed_out", "withdrawn"))
        re_offers += max(0, offers - 1)
        if t.get("reopened"):
            reopened += 1
            reopen_events += int(t["reopened"])
    return TicketOps(
        raised=len(tickets), by_state=dict(Counter(t["status"] for t in tickets)),
        by_product=dict(Counter(t["product_id"] for t in tickets)), by_locale=dict(Counter(t["locale_id"] for t in tickets)),
        assign_hours=assign, close_hours=close, refused=refused, timed_out=timed_out, re_offers=re_offers,
        reopened_tickets=reopened, reopen_events=reopen_events)


def waiting(rows: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The unassigned queue now, longest waiting first, with hours waited."""
    out = [{**r, "hours": round(hours_between(r["waiting_since"], now.replace(microsecond=0).isoformat()), 1)}
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
    close_hours: list[float]
    score: float | None
    answers: int

    @property
    def acceptance_rate(self) -> float | None:
        answered = self.accepted + self.refused + self.timed_out
        return round(self.accepted / answered, 3) if answered else None

    @property
    def close_median(self) -> float | None:
        return median(self.close_hours)


def expert_lines(tickets: list[dict[str, Any]], experts: list[dict[str, Any]]) -> list[ExpertLine]:
    counts: dict[int, Counter] = defaultdict(Counter)
    reasons: dict[int, Counter] = defaultdict(Counter)
    closes: dict[int, list[float]] = defaultdict(list)
    for t in tickets:
        for a in t["allocations"]:
            x = a["expert_id"]
            counts[x]["offers"] += 1
            counts[x][a["state"]] += 1
            if a["state"] == "refused":
                reasons[x][(a.get("reason") or "no reason given").split(":")[0]] += 1
        closer = next((a["expert_id"] for a in t["allocations"] if a["state"] == "accepted"), None)
        if closer is not None and t["status"] == "closed" and t.get("closed_at"):
            closes[closer].append(hours_between(t["created_at"], t["closed_at"]))
    lines = []
    for e in experts:
        x = e["id"]
        lines.append(ExpertLine(x, f"{e.get('first_name') or ''} {e.get('last_name') or ''}".strip() or f"#{x}",
                                e.get("load") or 0, counts[x]["offers"], counts[x]["accepted"], counts[x]["refused"],
                                counts[x]["timed_out"], dict(reasons[x]), closes[x],
                                round(e["score"], 2) if e.get("score") is not None else None, e.get("answers") or 0))
    return lines
