"""An offer's remaining time, and the order an expert sees their work in."""
from __future__ import annotations

import datetime as dt
from typing import Any

from foundation.vocabulary import AllocationState, TicketState


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
