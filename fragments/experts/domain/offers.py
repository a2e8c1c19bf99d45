"""An offer's remaining time, and the order an expert sees their work in."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from foundation.vocabulary import SET_OFF_AHEAD, SLOT_LENGTH, AllocationState, TicketState


def seconds_left(expires_at: str | None, now: dt.datetime) -> int:
    if not expires_at:
        return 0
    return max(0, int((dt.datetime.fromisoformat(expires_at) - now).total_seconds()))


def countdown(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}:{secs:02d}"


def my_allocation(ticket: dict[str, Any], expert_id: int, state: str) -> dict[str, Any] | None:
    return next((a for a in ticket.get("allocations", []) if a["expert_id"] == expert_id and a["state"] == state),
                None)


def split_work(tickets: list[dict[str, Any]], expert_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(offers soonest-expiring first, assignments by appointment time) for this expert."""
    offers, assigned = [], []
    for ticket in tickets:
        if ticket["status"] == TicketState.OFFERED and (offer := my_allocation(ticket, expert_id, AllocationState.OFFERED)):
            offers.append({**ticket, "offer": offer})
        elif ticket["status"] in (TicketState.ASSIGNED, TicketState.IN_PROGRESS) and (
                booking := my_allocation(ticket, expert_id, AllocationState.ACCEPTED)):
            assigned.append({**ticket, "booking": booking})
    offers.sort(key=lambda t: t["offer"].get("expires_at") or "")
    assigned.sort(key=lambda t: t["booking"].get("slot") or "")
    return offers, assigned


def summary(text: str | None, limit: int = 120) -> str:
    """A problem description cut at a word boundary, for a card."""
    words = " ".join((text or "").split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


@dataclass(frozen=True)
class Day:
    """An expert's visits as their phone shows them: today's in order, then the days after, and apart
    those whose slot has ended without the ticket being closed (missed, or done and not recorded).
    Each visit says whether the expert may tap "on my way" now (`can_set_off`)."""
    today: list[dict[str, Any]]
    upcoming: list[dict[str, Any]]
    missed: list[dict[str, Any]]


def plan_day(assigned: list[dict[str, Any]], now: dt.datetime) -> Day:
    today, upcoming, missed = [], [], []
    for ticket in sorted(assigned, key=lambda t: t["booking"].get("slot") or ""):
        slot = ticket["booking"].get("slot")
        if not slot:
            continue
        starts = dt.datetime.fromisoformat(slot)
        ticket = {**ticket, "can_set_off": starts - now <= SET_OFF_AHEAD and now < starts + SLOT_LENGTH}
        if starts + SLOT_LENGTH <= now:
            missed.append(ticket)
        elif starts.date() <= now.date():
            today.append(ticket)
        else:
            upcoming.append(ticket)
    return Day(today, upcoming, missed)
