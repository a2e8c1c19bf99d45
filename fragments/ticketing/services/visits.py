"""Around a booked visit, so that no customer waits for an expert who is not coming:

- reminders to the customer the day before (from 18:00) and on the morning of the visit (from 07:00),
  each with links to confirm, ask for another slot or cancel; a reminder is sent only for a visit
  booked before it fell due (a visit booked at 19:00 for the next morning has just been confirmed);
- the expert's list of the day's visits, from 07:00;
- visits at risk, which go to staff as an alert and to the top of their queue: an offer not yet
  accepted when the slot is AT_RISK_OFFER_LEAD away, an expert who has not set off ("on my way") by
  SET_OFF_BY before the slot, and any slot one expert holds for two open tickets (the legacy
  dispatcher double-booked; the pairs arrive with migration, cut-over and reconciliation).

The worker runs `sweep()` every few seconds; every message has an idempotency key of its own, and what
was done is recorded on the ticket, so a sweep repeated (two workers, a restart) sends nothing twice.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from foundation.vocabulary import PERIODS, SLOT_LENGTH, iso

from ..domain.slots import describe
from ..domain.ticket import Ticket
from .links import Links
from .notices import CustomerNotices, customer_message, message
from .ports import Clock, LegacyUnavailable, NotificationsUnavailable, Offers, StaffAlerts, StaleTicket, Tickets, staff_alert

log = logging.getLogger(__name__)
EVENING_BEFORE = dt.time(18, 0)
MORNING_OF = dt.time(7, 0)
AT_RISK_OFFER_LEAD = dt.timedelta(hours=2)
SET_OFF_BY = dt.timedelta(minutes=30)
LOOK_AHEAD = dt.timedelta(days=2)

RISKS = {"not_accepted": "The expert has not accepted the offer of a visit due in under two hours",
         "not_on_the_way": "The expert has not set off for a visit due within 30 minutes",
         "double_booked": "The expert holds this slot for another open ticket too"}


def reminders_due(slot: dt.datetime, accepted_at: dt.datetime | None, now: dt.datetime,
                  evening: dt.time = EVENING_BEFORE, morning: dt.time = MORNING_OF) -> list[str]:
    """Which reminders of a visit are due now: day_before, morning (only before the visit starts, and
    only those that fell due after the booking)."""
    if now >= slot:
        return []
    due = {"day_before": dt.datetime.combine(slot.date() - dt.timedelta(days=1), evening),
           "morning": dt.datetime.combine(slot.date(), morning)}
    return [kind for kind, at in due.items() if now >= at and (accepted_at is None or accepted_at < at)]


def slot_starts(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """Every half-day slot starting in [first, last)."""
    starts, day = [], first.date()
    while day <= last.date():
        starts += [s for hour in sorted(PERIODS.values()) if first <= (s := dt.datetime.combine(day, dt.time(hour))) < last]
        day += dt.timedelta(days=1)
    return starts


def risk_of(visit: dict[str, Any], now: dt.datetime) -> str | None:
    slot = dt.datetime.fromisoformat(visit["slot"])
    if now >= slot + SLOT_LENGTH:
        return None
    if visit["state"] == "offered" and slot - now <= AT_RISK_OFFER_LEAD:
        return "not_accepted"
    if visit["state"] == "accepted" and not visit.get("on_my_way_at") and slot - now <= SET_OFF_BY:
        return "not_on_the_way"
    return None


class Visits:
    def __init__(self, tickets: Tickets, offers: Offers, notices: CustomerNotices, staff_alerts: StaffAlerts,
                 clock: Clock, links: Links | None = None, evening: dt.time = EVENING_BEFORE,
                 morning: dt.time = MORNING_OF):
        self.tickets, self.offers, self.notices, self.clock = tickets, offers, notices, clock
        self.staff_alerts = staff_alerts
        self.links, self.evening, self.morning = links, evening, morning
        self._listed: set[str] = set()  # the day lists this process handed over (one per expert and day)

    def sweep(self) -> int:
        """Reminders, day lists and risks due now; how many tickets were acted on. Open legacy work in
        the window moves in first (with its bookings), so its visits are reminded and watched too."""
        now = self.clock()
        try:
            self.tickets.bind_legacy_commitments(slots=[iso(s) for s in slot_starts(now - SLOT_LENGTH, now + LOOK_AHEAD)])
        except LegacyUnavailable:
            log.warning("legacy visits not moved in for reminders: the legacy system is not answering")
        visits = self.offers.visits_between(now - SLOT_LENGTH, now + LOOK_AHEAD)
        return self.remind(visits, now) + self.day_lists(visits, now) + self.watch(visits, now)

    def remind(self, visits: list[dict[str, Any]], now: dt.datetime) -> int:
        due: list[tuple[dict[str, Any], str]] = []
        for v in visits:
            if v["state"] != "accepted":
                continue
            accepted = dt.datetime.fromisoformat(v["accepted_at"]) if v.get("accepted_at") else None
            sent = set(v.get("reminded") or [])
            due += [(v, kind) for kind in reminders_due(dt.datetime.fromisoformat(v["slot"]), accepted, now,
                                                        self.evening, self.morning) if kind not in sent]
        if not due:
            return 0
        tickets = {t.id: t for t in self.tickets.many(sorted({v["ticket_id"] for v, _ in due}))}
        messages, marks = [], []
        for v, kind in due:
            ticket = tickets.get(v["ticket_id"])
            if ticket is None:
                continue
            messages.append(self._reminder(ticket, v["slot"], kind))
            marks.append((ticket, kind))
        outcomes = self._send(messages)
        for (ticket, kind), outcome in zip(marks, outcomes):
            if outcome is None:
                continue
            ticket.reminded(kind, f"Reminder sent to the customer ({kind.replace('_', ' ')})")
            try:
                self.tickets.save(ticket, now)
            except StaleTicket:
                pass  # another sweep recorded it; the message went once (its key)
        return len(marks)

    def _reminder(self, ticket: Ticket, slot: str, kind: str) -> dict[str, Any]:
        when = describe(dt.datetime.fromisoformat(slot))
        links = self.links.for_customer(ticket, slot) if self.links else {}
        choices = "".join(f"\n{label}: {links[act]}" for act, label in (
            ("confirm", "Confirm"), ("reschedule", "Ask for another slot"), ("cancel", "Cancel")) if act in links)
        opening = "Tomorrow" if kind == "day_before" else "Today"
        return customer_message(ticket.customer_id, key=f"remind:{ticket.id}:{slot}:{kind}", category="reminder",
                                subject=f"{opening}: your visit for {ticket.reference}",
                                body=f"{opening} an expert comes for ticket {ticket.reference}: {when}.{choices}")

    def day_lists(self, visits: list[dict[str, Any]], now: dt.datetime) -> int:
        if now.time() < self.morning:
            return 0
        today: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for v in visits:
            slot = dt.datetime.fromisoformat(v["slot"])
            if v["state"] == "accepted" and slot.date() == now.date():
                today[v["expert_id"]].append(v)
        messages = [message("expert", expert_id, key=f"day:{expert_id}:{now.date().isoformat()}", category="reminder",
                            subject=f"Your visits today ({len(mine)})",
                            body="Your visits today:\n" + "\n".join(
                                f"{describe(dt.datetime.fromisoformat(v['slot']))}: {v['reference']}" for v in mine))
                    for expert_id, mine in sorted(today.items())]
        # Once a day each (its key makes a second one harmless; this spares the call every sweep).
        messages = [m for m in messages if m["key"] not in self._listed]
        handed = [m["key"] for m, outcome in zip(messages, self._send(messages)) if outcome is not None]
        self._listed = {key for key in self._listed | set(handed) if key.endswith(now.date().isoformat())}
        return len(handed)

    def watch(self, visits: list[dict[str, Any]], now: dt.datetime) -> int:
        """Visits due soon that nobody is going to, and every double booking ahead (whenever its legacy
        tickets moved in: on first read, by cut-over or by reconciliation's repairs)."""
        doubled = {ticket_id for pair in self.offers.double_bookings(now) for ticket_id in pair}
        risky = {v["ticket_id"]: risk for v in visits if (risk := risk_of(v, now)) and v.get("at_risk") != risk}
        risky.update({ticket_id: "double_booked" for ticket_id in doubled})
        safe = sorted({v["ticket_id"] for v in visits if v.get("at_risk") and risk_of(v, now) is None
                       and v["ticket_id"] not in doubled and v["ticket_id"] not in risky})
        return self.flag(risky) + self.unflag(safe)

    def unflag(self, ticket_ids: list[int]) -> int:
        """Tickets whose risk is over leave the top of the queue (their history says why they were there)."""
        cleared = 0
        for ticket in self.tickets.many(ticket_ids) if ticket_ids else []:
            if not ticket.extra.get("at_risk"):
                continue
            ticket.clear_risk("No longer at risk")
            try:
                self.tickets.save(ticket, self.clock())
                cleared += 1
            except StaleTicket:
                continue
        return cleared

    def flag(self, risky: dict[int, str]) -> int:
        """Mark these tickets at risk (once per reason) and alert staff."""
        if not risky:
            return 0
        alerts = []
        for ticket in self.tickets.many(sorted(risky)):
            reason = risky[ticket.id]
            if ticket.extra.get("at_risk") == reason:
                continue
            ticket.flag_at_risk(reason, f"At risk: {RISKS[reason].lower()}")
            try:
                self.tickets.save(ticket, self.clock())
            except StaleTicket:
                continue
            alerts.append(staff_alert("visit-at-risk", f"Ticket {ticket.reference}: {RISKS[reason]}. Reschedule it "
                                      "from the queue.", ticket_reference=ticket.reference))
        if alerts:
            try:
                self.staff_alerts.raise_alerts(alerts)
            except NotificationsUnavailable as exc:  # the tickets lead the queue either way
                log.warning("staff alerts for visits at risk not raised: %s", exc)
        return len(alerts)

    def _send(self, messages: list[dict[str, Any]]) -> list[str | None]:
        if not messages:
            return []
        try:
            return self.notices.send_many(messages)
        except NotificationsUnavailable as exc:
            log.warning("%d messages about visits not handed over yet: %s", len(messages), exc)
            return [None] * len(messages)
