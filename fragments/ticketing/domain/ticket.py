"""The ticket aggregate: a ticket with its offers and bookings, and every rule about them.

Use cases load a Ticket once, call its methods (which check the workflow and change the ticket in
memory) and save it once. Field changes are kept as pending `Change`s that the store writes as one
update each, with its history event; offers and bookings are written by the store's atomic
operations, which re-check their own conditions, because another process may act on the same
ticket between the read and the write.

Templates and the JSON API read a ticket by field name (`ticket["status"]`, `ticket.status`);
`to_dict()` is the API's JSON shape, which keeps every stored property, including those only
migrated legacy tickets carry.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from foundation.vocabulary import SET_OFF_AHEAD, SLOT_LENGTH, iso

from .states import (
    BINDING,
    DISPATCHABLE,
    OFFER_ENDINGS,
    OPEN,
    AllocationState,
    State,
    TransitionRefused,
    allowed_actions,
    next_state,
)

# Offered, but the first slot is less than this away: staff should chase it.
OVERDUE_LEAD = dt.timedelta(hours=24)
# "On my way": the customer is told to expect the expert from this long after the tap, within this span.
ARRIVAL_LEAD = dt.timedelta(minutes=15)
ARRIVAL_SPAN = dt.timedelta(minutes=45)


def arrival(earliest: dt.datetime, latest: dt.datetime, now: dt.datetime) -> str:
    """"between 10:15 and 11:00" (today), "tomorrow between 08:00 and 08:45", or with the date."""
    day = "" if earliest.date() == now.date() else (
        "tomorrow " if earliest.date() == now.date() + dt.timedelta(days=1) else f"on {earliest:%a %-d %b} ")
    return f"{day}between {earliest:%H:%M} and {latest:%H:%M}"


class _ReadByName:
    """Read-only access by field name, as templates and JSON-shaped callers read a record."""

    extra: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        if name in _FIELDS[type(self)]:
            return getattr(self, name)
        if name in self.extra:
            return self.extra[name]
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


@dataclass
class Allocation(_ReadByName):
    """One expert's offer of the ticket (`offered`), its acceptance (`accepted`: the slot is booked), or
    how the offer ended (`refused`, `timed_out`, `withdrawn`)."""
    expert_id: int
    state: str
    slot: str | None = None
    at: str | None = None
    expires_at: str | None = None
    closed_at: str | None = None
    reason: str | None = None
    source: str = "new"  # "legacy" for an assignment carried over from the legacy system
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Allocation:
        return cls(**_split(cls, record))

    @property
    def held_slot(self) -> str:
        """The slot an offer or a booking holds: every one made here or carried over names it."""
        if self.slot is None:
            raise ValueError(f"expert {self.expert_id}'s allocation holds no slot")
        return self.slot

    def to_dict(self) -> dict[str, Any]:
        return _join(self)


@dataclass(frozen=True)
class Change:
    """A change of fields, written by the store as one update with one history event."""
    action: str
    actor: str
    detail: str
    fields: dict[str, Any]
    expected_revision: int | None = None


@dataclass
class Ticket(_ReadByName):
    id: int
    reference: str
    status: str
    customer_id: int
    product_id: int
    locale_id: int | None = None
    contract_id: int | None = None
    description: str | None = None
    slots: list[str] = field(default_factory=list)
    channel: str | None = None
    source: str = "new"
    created_at: str | None = None
    updated_at: str | None = None
    revision: int = 1
    confirmed_at: str | None = None
    alerted_at: str | None = None
    closed_at: str | None = None
    resolution: str | None = None
    closed_by_expert_id: int | None = None
    reopened_count: int | None = None
    accept_by: str | None = None  # the plan's promises (service_levels.py), from the raise
    visit_by: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    pending: list[Change] = field(default_factory=list, repr=False, compare=False)
    # False for the summaries a listing returns: no history or allocations were read.
    whole: bool = field(default=True, repr=False, compare=False)

    # -- mapping ---------------------------------------------------------------------------------
    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Ticket:
        values = _split(cls, record)
        values["allocations"] = [Allocation.from_record(a) for a in record.get("allocations") or []]
        return cls(**values, whole="allocations" in record)

    def to_dict(self) -> dict[str, Any]:
        if not self.whole:
            return _join(self, skip=("history", "allocations"))
        body = _join(self)
        body["allocations"] = [a.to_dict() for a in self.allocations]
        return body

    # -- what the ticket is --------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def waits_for_an_expert(self) -> bool:
        return self.status in DISPATCHABLE

    def require(self, action: str) -> State:
        """The state `action` would lead to, or TransitionRefused."""
        return next_state(action, self.status)

    def allowed_actions(self) -> list[str]:
        return allowed_actions(self.status)

    def belongs_to(self, customer_id: int | None) -> bool:
        return customer_id is not None and self.customer_id == customer_id

    def open_offer(self, expert_id: int) -> Allocation | None:
        return next((a for a in self.allocations if a.expert_id == expert_id and a.state == AllocationState.OFFERED), None)

    def open_offers(self) -> list[Allocation]:
        return [a for a in self.allocations if a.state == AllocationState.OFFERED]

    def booking(self, expert_id: int | None = None) -> Allocation | None:
        """The accepted allocation (of `expert_id`, if given)."""
        return next((a for a in self.allocations if a.state == AllocationState.ACCEPTED
                     and (expert_id is None or a.expert_id == expert_id)), None)

    def booked_slots(self) -> list[Allocation]:
        """Accepted allocations holding a slot: what closing or cancelling must free."""
        return [a for a in self.allocations if a.state == AllocationState.ACCEPTED and a.slot]

    def concerns_expert(self, expert_id: int | None) -> bool:
        """Offered to or accepted by this expert: the tickets an expert may see."""
        return any(a.expert_id == expert_id and a.state in BINDING for a in self.allocations)

    def tried_experts(self) -> set[int]:
        """Experts this system already offered the ticket to: never offered it again."""
        return {a.expert_id for a in self.allocations if a.source == "new"}

    def slot_times(self) -> list[dt.datetime]:
        return [dt.datetime.fromisoformat(s) for s in self.slots]

    def future_slots(self, now: dt.datetime) -> list[dt.datetime]:
        return [s for s in self.slot_times() if s > now]

    def closing_expert(self) -> int | None:
        """Who the survey is about: the expert who closed it, else the one who accepted it."""
        booked = self.booking()
        return self.closed_by_expert_id or (booked.expert_id if booked else None)

    def is_overdue(self, now: dt.datetime) -> bool:
        """Offered but the first slot is less than a day away, or assigned and the last slot ended
        without the ticket being closed."""
        slots = sorted(self.slot_times())
        if not slots:
            return False
        if self.status == State.OFFERED:
            return slots[0] - now < OVERDUE_LEAD
        return max(slots) + SLOT_LENGTH < now

    @property
    def waiting_since(self) -> dt.datetime | None:
        """When staff began waiting on the customer (the deadlines are paused), or None."""
        since = self.extra.get("waiting_since")
        return dt.datetime.fromisoformat(since) if since else None

    def breach_at(self) -> dt.datetime | None:
        """When the first promise still open falls due: an accepted expert until one accepts, the visit
        until the ticket is closed (None: no promise open, none made, or paused while waiting on the
        customer)."""
        if self.waiting_since is not None:
            return None
        due = []
        if self.accept_by and self.status in (State.NEW, State.OFFERED, State.UNASSIGNED):
            due.append(dt.datetime.fromisoformat(self.accept_by))
        if self.visit_by and self.status not in (State.CLOSED, State.CANCELLED):
            due.append(dt.datetime.fromisoformat(self.visit_by))
        return min(due) if due else None

    def urgency(self) -> tuple[dt.datetime, dt.datetime]:
        """How urgent the ticket is when it competes for an expert: its nearest open promise, then the
        visit's (two tickets due to be accepted alike: the one whose visit is due sooner needs the slot)."""
        far = dt.datetime.max
        return (self.breach_at() or far, dt.datetime.fromisoformat(self.visit_by) if self.visit_by else far)

    # -- offers (written by the store's atomic operations) ---------------------------------------
    def accept(self, expert_id: int) -> Allocation | None:
        """The expert's open offer, now accepted, or None if they hold none."""
        offer = self.open_offer(expert_id)
        if offer is None:
            return None
        self.status = next_state("accept", self.status)
        offer.state = AllocationState.ACCEPTED
        return offer

    def end_offer(self, expert_id: int, outcome: AllocationState, reason: str = "") -> Allocation | None:
        """Refused, timed out or withdrawn: the slot is freed and the ticket waits for an expert again."""
        offer = self.open_offer(expert_id)
        if offer is None:
            return None
        self.status = next_state(OFFER_ENDINGS[AllocationState(outcome)], self.status)
        offer.state, offer.reason = outcome, reason
        return offer

    def offered(self, expert_id: int, starts_at: str, at: str, expires_at: str) -> None:
        """What the store's atomic offer did, applied to this copy."""
        self.status = next_state("offer", self.status)
        self.allocations.append(Allocation(expert_id, AllocationState.OFFERED, slot=starts_at, at=at, expires_at=expires_at))

    # -- field changes (saved by the store as one update each) -----------------------------------
    def _change(self, action: str, actor: str, detail: str, expected_revision: int | None = None,
                **fields: Any) -> None:
        for name, value in fields.items():
            if name in _FIELDS[Ticket]:
                setattr(self, name, value)
            elif value is None:
                self.extra.pop(name, None)
            else:
                self.extra[name] = value
        self.pending.append(Change(action, actor, detail, fields, expected_revision))

    def add_note(self, text: str, actor: str) -> None:
        self.require("note")
        self._change("note", actor, text)

    def describe_problem(self, text: str, actor: str, expected_revision: int | None) -> None:
        next_state("update", self.status)
        self._change("updated", actor, "Description updated", expected_revision, description=text)

    def confirm(self, channel: str, now: dt.datetime) -> None:
        # Conditional on the revision read: of two sweeps that both sent it (one message, by its key),
        # only one records it.
        how = f" by {channel}" if channel else ""
        self._change("confirmation_sent", "system:notifications", f"Confirmation sent to the customer{how}",
                     self.revision, confirmed_at=iso(now))

    def unassign(self, why: str, now: dt.datetime) -> bool:
        """Nobody can take it: the staff queue. True when staff must be alerted (first time in the
        queue since it was last dispatched); False when it is already in the queue and alerted."""
        target = next_state("no_candidate", self.status)
        if self.status == State.UNASSIGNED and self.alerted_at:
            return False
        self._change("unassigned", "system:assignment", f"Unassigned: {why}", status=str(target),
                     alerted_at=now.isoformat())
        return True

    def wait_on_customer(self, actor: str, reason: str, now: dt.datetime) -> None:
        """Staff wait on the customer: the deadlines stop (and their alerts) until the customer answers."""
        self.require("wait_on_customer")
        if self.waiting_since is not None:
            raise TransitionRefused("wait_on_customer", "already waiting on the customer")
        self._change("waiting_on_customer", actor, f"Waiting on the customer: {reason}; the plan's deadlines are "
                     "paused", self.revision, waiting_since=now.isoformat(timespec="seconds"), next_alert_at=None)

    def customer_answered(self, actor: str, now: dt.datetime, moved: dict[str, Any]) -> None:
        """The wait is over: the deadlines go on, later by the working time it lasted (`moved`: the
        promises and alert moments as they are now)."""
        self.require("customer_answered")
        since = self.waiting_since
        if since is None:
            raise TransitionRefused("customer_answered", "not waiting on the customer")
        later = f"; deadlines now {moved['visit_by'][:16].replace('T', ' ')} for the visit" if moved.get("visit_by") else ""
        self._change("customer_answered", actor, f"The customer answered (waited since "
                     f"{since.isoformat(timespec='minutes').replace('T', ' ')}){later}", self.revision,
                     waiting_since=None, **moved)

    def cancel(self, actor: str, reason: str) -> None:
        target = next_state("cancel", self.status)
        self._change("cancelled", actor, f"Cancelled: {reason}" if reason else "Cancelled", status=str(target))

    def on_my_way(self, expert_id: int, actor: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The expert holding the booking sets off, at most SET_OFF_AHEAD before the slot starts and
        before it ends: the arrival window the customer is told (from ARRIVAL_LEAD after now, or the
        slot's start if later, for ARRIVAL_SPAN, never past the slot's end). Recorded on the ticket."""
        self.require("on_my_way")
        booking = self.booking(expert_id)
        if booking is None or not booking.slot:
            raise TransitionRefused("on_my_way", "not assigned to you")
        starts = dt.datetime.fromisoformat(booking.slot)
        ends = starts + SLOT_LENGTH
        if now >= ends or starts - now > SET_OFF_AHEAD:
            raise TransitionRefused("on_my_way", "past its time" if now >= ends else "not due yet")
        earliest = max(starts, now + ARRIVAL_LEAD).replace(second=0, microsecond=0)
        earliest += dt.timedelta(minutes=-earliest.minute % 5)  # a time people say: on the five minutes
        latest = min(earliest + ARRIVAL_SPAN, ends)
        self._change("on_my_way", actor, f"On the way: arriving {arrival(earliest, latest, now)}",
                     on_my_way_at=iso(now))
        return earliest, latest

    def reminded(self, kind: str, detail: str) -> None:
        """A reminder of the visit went to the customer (kind: day_before, morning)."""
        sent = list(self.extra.get("reminded") or [])
        self._change("reminder_sent", "system:reminders", detail, reminded=[*sent, kind])

    def flag_at_risk(self, reason: str, detail: str) -> None:
        """The visit may leave a customer waiting for nobody: staff see it first in the queue."""
        self._change("at_risk", "system:watch", detail, at_risk=reason)

    def clear_risk(self, detail: str) -> None:
        """What made the visit at risk no longer holds (the expert accepted, set off; the pair is gone)."""
        self._change("risk_cleared", "system:watch", detail, at_risk=None)

    def confirm_visit(self, actor: str, now: dt.datetime) -> None:
        self.require("confirm_visit")
        booking = self.booking()
        self._change("visit_confirmed", actor, f"The customer confirmed the visit of {booking.slot if booking else ''}"
                     .strip(), visit_confirmed_at=iso(now))

    def reschedule(self, actor: str, slots: list[dt.datetime], why: str) -> None:
        """New slots, and back to assignment (the caller ends any offer or booking first)."""
        target = self.require("reschedule")
        values = [iso(s) for s in slots]
        self._change("rescheduled", actor, f"Rescheduled ({why}): {', '.join(values)}", status=str(target),
                     slots=values, alerted_at=None, at_risk=None, on_my_way_at=None, visit_confirmed_at=None)

    def may_close(self, expert_id: int) -> State:
        """Only the expert who holds the booking closes a ticket being worked on."""
        target = self.require("close")
        if self.booking(expert_id) is None:
            raise TransitionRefused("close", "not assigned to you")
        return target

    def close(self, expert_id: int, actor: str, resolution: str, now: dt.datetime) -> None:
        target = self.may_close(expert_id)
        self._change("closed", actor, f"Closed: {resolution}", status=str(target), resolution=resolution,
                     closed_at=iso(now), closed_by_expert_id=expert_id)

    def reopen(self, actor: str, reason: str) -> None:
        target = next_state("reopen", self.status)
        self._change("reopened", actor, f"Reopened: {reason}" if reason else "Reopened", status=str(target),
                     reopened_count=(self.reopened_count or 0) + 1, alerted_at=None)

    def retry_assignment(self, actor: str) -> None:
        next_state("offer", self.status)
        self._change("retry", actor, "Assignment retried by staff", alerted_at=None)


_FIELDS: dict[type, set[str]] = {
    cls: {f.name for f in dataclasses.fields(cls)} - {"extra", "pending", "whole"} for cls in (Ticket, Allocation)}


def _split(cls: type, record: dict[str, Any]) -> dict[str, Any]:
    known = _FIELDS[cls]
    values = {k: v for k, v in record.items() if k in known}
    values["extra"] = {k: v for k, v in record.items() if k not in known}
    return values


def _join(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    # A stored ticket has no null properties (setting one to null removes it): neither has its JSON.
    body = {name: getattr(obj, name) for name in _FIELDS[type(obj)] if name not in skip}
    return {**{k: v for k, v in body.items() if v is not None}, **obj.extra}
