"""Historical legacy tickets with slots, history and surveys, shaped like the real system's.

Older tickets are mostly closed; recent ones are open, assigned or in progress; a few old
ones sit forgotten in "open" or "assigned" (the lost tickets the migration must surface).
The legacy dispatcher sometimes sent an expert who does not serve the customer's locale.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Table

from ..models import LegacyTicket, Survey, SurveyResponse, TicketHistory, TicketSlot
from ..models.experts import PERIODS
from . import vocabulary as v

# (minimum age in days, [(status, weight), ...]): the first row whose age fits applies.
STATUS_MIX = [
    (21, [("closed", 88), ("cancelled", 7), ("in_progress", 2), ("assigned", 2), ("open", 1)]),
    (3, [("closed", 60), ("in_progress", 15), ("assigned", 15), ("cancelled", 5), ("open", 5)]),
    (0, [("open", 30), ("assigned", 50), ("in_progress", 15), ("closed", 5)]),
]
SCORE_WEIGHTS = [4, 6, 15, 35, 40]  # scores 1..5


class TicketFactory:
    def __init__(self, rng: random.Random, now: dt.datetime, months: int, contracts, covered, customers,
                 skills, expert_locales, accounts, products, questions):
        self.rng, self.now = rng, now
        self.window_start = now - dt.timedelta(days=months * 30)
        self.contracts = contracts
        self.covered: dict[int, list[int]] = {}
        for row in covered:
            self.covered.setdefault(row["contract_id"], []).append(row["product_id"])
        self.customer_locale = {c["id"]: c["locale_id"] for c in customers}
        self.skilled: dict[int, list[int]] = {}
        for row in skills:
            self.skilled.setdefault(row["product_id"], []).append(row["expert_id"])
        self.serves = {(row["expert_id"], row["locale_id"]) for row in expert_locales}
        self.customer_account = {a["customer_id"]: a["id"] for a in accounts if a["role"] == "customer"}
        self.staff_accounts = [a["id"] for a in accounts if a["role"] == "call_centre"]
        self.product_names = {p["id"]: p for p in products}
        self.questions = questions
        self.tickets: list[dict] = []
        self.slots: list[dict] = []
        self.history: list[dict] = []
        self.surveys: list[dict] = []
        self.responses: list[dict] = []

    def tables(self) -> dict[Table, list[dict]]:
        return {LegacyTicket.__table__: self.tickets, TicketSlot.__table__: self.slots,
                TicketHistory.__table__: self.history, Survey.__table__: self.surveys,
                SurveyResponse.__table__: self.responses}

    def build(self, count: int) -> None:
        while len(self.tickets) < count:
            contract = self.rng.choice(self.contracts)
            start = max(self.window_start, dt.datetime.combine(contract["start_date"], dt.time(8)))
            end = self.now if contract["end_date"] is None else min(
                self.now, dt.datetime.combine(contract["end_date"], dt.time(18)))
            if start >= end:
                continue
            created = start + dt.timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))
            self._ticket(contract, created)

    def _status_for(self, created: dt.datetime) -> str:
        age = (self.now - created).days
        for min_age, mix in STATUS_MIX:
            if age >= min_age:
                statuses, weights = zip(*mix)
                return self.rng.choices(statuses, weights)[0]
        raise AssertionError("STATUS_MIX must end with a row for age 0")

    def _ticket(self, contract: dict, created: dt.datetime) -> None:
        rng = self.rng
        tid = len(self.tickets) + 1
        product_id = rng.choice(self.covered[contract["id"]])
        product = self.product_names[product_id]
        customer_id = contract["customer_id"]
        web_account = self.customer_account.get(customer_id)
        channel = "web" if web_account and rng.random() < 0.6 else "phone"
        creator = web_account if channel == "web" else rng.choice(self.staff_accounts)
        status = self._status_for(created)
        expert_id = self._legacy_expert(product_id, self.customer_locale[customer_id]) if status != "open" else None
        if expert_id is None and status != "cancelled":
            status = "open"
        slot_starts = sorted({
            dt.datetime.combine(created.date() + dt.timedelta(days=rng.randrange(1, 10)),
                                dt.time(rng.choice(list(PERIODS.values()))))
            for _ in range(rng.randrange(1, 4))
        })
        for start in slot_starts:
            self.slots.append(dict(id=len(self.slots) + 1, ticket_id=tid, starts_at=start))
        problem = rng.choice(v.CATEGORIES[product["category"]][1])
        actor = f"customer:customer{customer_id}" if channel == "web" else "call_centre:callcentre"
        events = [(created, actor, "created", f"Raised by {channel}")]
        at = created
        closed_at = resolution = None
        if status in ("assigned", "in_progress", "closed"):
            at = self._later(at, minutes=(5, 600))
            events.append((at, "system:legacy-dispatch", "assigned", f"Assigned to expert E{expert_id:05d}"))
        if status in ("in_progress", "closed"):
            at = self._later(max(at, slot_starts[0]), minutes=(0, 60))
            events.append((at, f"expert:expert{expert_id}", "status", "assigned -> in_progress. On site"))
        if status == "closed":
            at = self._later(at, minutes=(30, 300))
            resolution = rng.choice(v.FIXES)
            closed_at = at
            events.append((at, f"expert:expert{expert_id}", "status", f"in_progress -> closed. {resolution}"))
        if status == "cancelled":
            at = self._later(at, minutes=(10, 2880))
            events.append((at, actor, "status", "open -> cancelled. Customer no longer needs a visit"))
        if rng.random() < 0.25:
            note_at = self._later(created, minutes=(1, 240))
            events.append((note_at, "call_centre:callcentre2", "note", "Customer called to ask when the expert will come."))
        events.sort(key=lambda e: e[0])
        for when, who, action, detail in events:
            self.history.append(dict(id=len(self.history) + 1, ticket_id=tid, at=when, actor=who, action=action,
                                     detail=detail))
        self.tickets.append(dict(
            id=tid, reference=f"T-{tid:07d}", customer_id=customer_id, contract_id=contract["id"],
            product_id=product_id, description=f"My {product['name']} {problem}.", status=status, channel=channel,
            assigned_expert_id=expert_id if status != "cancelled" else None, created_by_account_id=creator,
            created_at=created, updated_at=events[-1][0], closed_at=closed_at, resolution=resolution,
        ))
        if closed_at is not None and rng.random() < 0.7:
            self._survey(tid, closed_at)

    def _legacy_expert(self, product_id: int, locale_id: int) -> int | None:
        skilled = self.skilled.get(product_id)
        if not skilled:
            return None
        local = [e for e in skilled if (e, locale_id) in self.serves]
        # The legacy dispatcher ignored locales about one time in five: the "wrong expert".
        pool = local if local and self.rng.random() < 0.8 else skilled
        return self.rng.choice(pool)

    def _later(self, at: dt.datetime, minutes: tuple[int, int]) -> dt.datetime:
        return min(self.now, at + dt.timedelta(minutes=self.rng.randrange(*minutes) if minutes[1] > minutes[0] else minutes[0]))

    def _survey(self, ticket_id: int, closed_at: dt.datetime) -> None:
        rng = self.rng
        sid = len(self.surveys) + 1
        sent = self._later(closed_at, minutes=(30, 120))
        answered = self._later(sent, minutes=(60, 4320)) if rng.random() < 0.45 else None
        self.surveys.append(dict(id=sid, ticket_id=ticket_id, template_id=1, sent_at=sent, answered_at=answered))
        if answered is None:
            return
        for q in self.questions:
            if q["kind"] == "score":
                score, text = rng.choices(range(1, 6), SCORE_WEIGHTS)[0], None
            else:
                score, text = None, rng.choice([None, "Very polite expert.", "Took too long to arrive.", "Great service."])
            self.responses.append(dict(id=len(self.responses) + 1, survey_id=sid, question_id=q["id"], score=score,
                                       text=text))
