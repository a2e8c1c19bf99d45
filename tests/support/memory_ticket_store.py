"""The ticketing ports (Tickets, Offers, Surveys) in memory, with the graph adapters' semantics (atomic
slot holds, durable offer expiries), for service-layer tests that run in milliseconds. One object holds
the state and serves all three ports (`ports()`); tests/ticketing/contract/ runs the same contract suite
against it and against the graph adapters."""
from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from typing import Any

from foundation.vocabulary import OPEN_STATES, period_of
from foundation.vocabulary import iso as _iso
from fragments.ticketing.domain.ranking import Candidate
from fragments.ticketing.domain.ticket import Ticket
from fragments.ticketing.services.ports import OpenTicketLimit, SlotTaken, StaleTicket, TicketingStores, TicketNotFound


class MemoryTicketStore:
    def __init__(self) -> None:
        self.tickets: dict[int, dict[str, Any]] = {}
        # expert id -> {"products": set, "locales": set, "weekly": set("0:morning"), "score": float}
        self.experts: dict[int, dict[str, Any]] = {}
        self.bookings: dict[str, dict[str, Any]] = {}  # "<expert>@<slot>" -> {ticket_id, state}
        self.link_uses = MemoryLinkLedger()
        self.last_offered: dict[int, str] = {}
        self.surveys: dict[int, dict[str, Any]] = {}
        self.templates: dict[tuple[str, int], dict[str, Any]] = {}  # (key, version) -> survey template version
        self.kb_titles: dict[int, str] = {}  # articles the knowledge base holds (articles_v1.title)
        self._ids = itertools.count(100_000_001)
        self._raised: dict[tuple[int, str], int] = {}  # (customer, raise key) -> ticket
        self._lock = threading.Lock()

    def ports(self) -> TicketingStores:
        return TicketingStores(self, self, self, self.link_uses)

    def add_expert(self, expert_id: int, *, products: set[int], locales: set[int], weekly: set[str],
                   score: float = 0.0) -> None:
        self.experts[expert_id] = {"products": products, "locales": locales, "weekly": weekly, "score": score}

    def _event(self, ticket: dict[str, Any], at: dt.datetime, actor: str, action: str, detail: str) -> None:
        ticket["history"].append({"seq": len(ticket["history"]) + 1, "at": _iso(at), "actor": actor,
                                  "action": action, "detail": detail})
        ticket["revision"] += 1
        ticket["updated_at"] = _iso(at)

    def create(self, *, customer_id, contract_id, product_id, locale_id, description, slots, channel, actor,
               now, raise_key=None, max_open=None, promises=None) -> Ticket:
        with self._lock:
            if raise_key is not None and (customer_id, raise_key) in self._raised:
                return Ticket.from_record(copy.deepcopy(self.tickets[self._raised[(customer_id, raise_key)]]))
            open_now = sum(1 for t in self.tickets.values() if t["customer_id"] == customer_id
                           and t["contract_id"] == contract_id and t["status"] in OPEN_STATES)
            if max_open is not None and open_now >= max_open:
                raise OpenTicketLimit(f"contract {contract_id} already has {max_open} open tickets")
            ticket_id = next(self._ids)
            if raise_key is not None:
                self._raised[(customer_id, raise_key)] = ticket_id
            self.tickets[ticket_id] = {
                "id": ticket_id, "reference": f"N-{ticket_id}", "status": "new", "source": "new",
                "customer_id": customer_id, "contract_id": contract_id, "product_id": product_id,
                "locale_id": locale_id, "description": description, "slots": list(slots), "channel": channel,
                "created_at": _iso(now), "updated_at": _iso(now), "revision": 1, "allocations": [],
                "history": [{"seq": 1, "at": _iso(now), "actor": actor, "action": "created",
                             "detail": f"Raised by {channel}"}], **(promises or {})}
            return Ticket.from_record(copy.deepcopy(self.tickets[ticket_id]))

    def _ticket(self, ticket_id: int) -> dict[str, Any]:
        if ticket_id not in self.tickets:
            raise TicketNotFound(f"no ticket {ticket_id}")
        return self.tickets[ticket_id]

    def bind_legacy_commitments(self, *, slots=(), expert_id=None) -> int:
        return 0  # no legacy system behind the in-memory store

    commitments_at = None

    def alerts_due(self, now, limit=200):
        with self._lock:
            rows = [t for t in self.tickets.values() if t.get("next_alert_at") is not None
                    and t["next_alert_at"] <= int(now.timestamp()) and t["status"] in OPEN_STATES]
            return [{k: copy.deepcopy(t.get(k)) for k in ("id", "reference", "status", "sla_alerts", "sla_told")}
                    for t in sorted(rows, key=lambda t: t["next_alert_at"])[:limit]]

    def alerts_told(self, ticket_id, told, next_at):
        with self._lock:
            ticket = self._ticket(ticket_id)
            ticket["sla_told"] = list(told)
            ticket["next_alert_at"] = int(next_at.timestamp()) if next_at else None

    def bind_all_legacy_commitments(self, now) -> int:
        self.commitments_at = now
        return 0

    def commitments_known_at(self):
        return self.commitments_at

    def get(self, ticket_id: int, reader=None) -> Ticket:
        with self._lock:
            return Ticket.from_record(copy.deepcopy(self._ticket(ticket_id)))

    def many(self, ticket_ids: list[int]) -> list[Ticket]:
        with self._lock:
            return [Ticket.from_record(copy.deepcopy(self.tickets[i])) for i in ticket_ids if i in self.tickets]

    def save(self, ticket: Ticket, now: dt.datetime) -> Ticket:
        while ticket.pending:
            change = ticket.pending[0]
            ticket.revision = self.update(ticket.id, changes=change.fields, actor=change.actor, action=change.action,
                                          detail=change.detail, now=now, expected_revision=change.expected_revision)
            with self._lock:
                ticket.history.append(copy.deepcopy(self.tickets[ticket.id]["history"][-1]))
                ticket.updated_at = self.tickets[ticket.id]["updated_at"]
            ticket.pending.pop(0)
        return ticket

    def update(self, ticket_id, *, changes, actor, action, detail, now, expected_revision=None) -> int:
        with self._lock:
            ticket = self._ticket(ticket_id)
            if expected_revision is not None and ticket["revision"] != expected_revision:
                raise StaleTicket(f"ticket {ticket_id} changed since revision {expected_revision}")
            for key, value in changes.items():
                if value is None:
                    ticket.pop(key, None)
                else:
                    ticket[key] = value
            self._event(ticket, now, actor, action, detail)
            return ticket["revision"]

    def list(self, *, customer_id=None, expert_id=None, statuses=None, limit=100, summary=False) -> list[Ticket]:
        with self._lock:
            found = [t for t in self.tickets.values()
                     if (customer_id is None or t["customer_id"] == customer_id)
                     and (expert_id is None or any(a["expert_id"] == expert_id and a["state"] in ("offered", "accepted")
                                                   for a in t["allocations"]))
                     and (not statuses or t["status"] in statuses)]
            found.sort(key=lambda t: (t["created_at"], t["id"]), reverse=True)
            if summary:  # what a list shows, as the graph adapter reads it: no description, history or allocations
                found = [{k: v for k, v in t.items() if k not in ("description", "history", "allocations")} for t in found]
            return [Ticket.from_record(t) for t in copy.deepcopy(found[:limit])]

    def customer_version(self, customer_id: int) -> tuple:
        with self._lock:
            mine = [t for t in self.tickets.values() if t["customer_id"] == customer_id]
            return (len(mine), sum(t["revision"] for t in mine), sum(t["id"] for t in mine),
                    max((t.get("migrated_at") or "" for t in mine), default=None))

    def candidates(self, *, product_id, locale_id, slots, now, exclude) -> list[Candidate]:
        with self._lock:
            rows = []
            for expert_id, e in self.experts.items():
                if product_id not in e["products"] or locale_id not in e["locales"] or expert_id in exclude:
                    continue
                free = [_iso(s) for s in slots if f"{s.weekday()}:{period_of(s)}" in e["weekly"]
                        and f"{expert_id}@{_iso(s)}" not in self.bookings]
                if free:
                    load = sum(1 for k, b in self.bookings.items()
                               if k.startswith(f"{expert_id}@") and b["starts_at"] >= _iso(now))
                    rows.append(Candidate(expert_id, tuple(free), load, e["score"],
                                          self.last_offered.get(expert_id, "")))
            return rows

    def offer(self, *, ticket_id, expert_id, starts_at, now, expires_at) -> None:
        with self._lock:
            ticket = self._ticket(ticket_id)
            if ticket["status"] not in ("new", "unassigned"):
                raise StaleTicket(f"ticket {ticket_id} is {ticket['status']}")
            key = f"{expert_id}@{starts_at}"
            if key in self.bookings:
                raise SlotTaken(f"expert {expert_id} is not free at {starts_at}")
            self.bookings[key] = {"ticket_id": ticket_id, "starts_at": starts_at, "state": "held"}
            ticket["allocations"].append({"expert_id": expert_id, "state": "offered", "accepted": False,
                                          "at": _iso(now), "slot": starts_at, "expires_at": _iso(expires_at),
                                          "source": "new"})
            ticket["status"] = "offered"
            self.last_offered[expert_id] = _iso(now)
            self._event(ticket, now, "system:assignment", "offered", f"Offered to expert {expert_id} for {starts_at}")

    def close_offer(self, *, ticket_id, expert_id, starts_at, outcome, actor, now, reason="") -> bool:
        with self._lock:
            ticket = self._ticket(ticket_id)
            offer = next((a for a in ticket["allocations"] if a["expert_id"] == expert_id
                          and a["state"] == "offered" and a["slot"] == starts_at), None)
            if offer is None:
                return False
            offer.update(state=outcome, accepted=outcome == "accepted", closed_at=_iso(now), reason=reason)
            key = f"{expert_id}@{starts_at}"
            if outcome == "accepted":
                self.bookings[key]["state"] = "booked"
                ticket["status"] = "assigned"
            else:
                self.bookings.pop(key, None)
                ticket["status"] = "unassigned"
            self._event(ticket, now, actor, outcome, f"Expert {expert_id}: {outcome} {reason}".strip())
            return True

    def due_offers(self, now, limit=100) -> list[dict[str, Any]]:
        with self._lock:
            due = [{"ticket_id": t["id"], "expert_id": a["expert_id"], "starts_at": a["slot"],
                    "expires_at": a["expires_at"]}
                   for t in self.tickets.values() for a in t["allocations"]
                   if a["state"] == "offered" and a["expires_at"] <= _iso(now)]
            return sorted(due, key=lambda d: d["expires_at"])[:limit]

    def release_bookings(self, *, expert_id, ticket_id) -> bool:
        with self._lock:
            held = [key for key, b in self.bookings.items()
                    if b.get("ticket_id") == ticket_id and key.startswith(f"{expert_id}@")]
            for key in held:
                self._pass_on(key, ticket_id)
            return bool(held)

    def _pass_on(self, key: str, ticket_id: int) -> None:
        """Free a booking; a double booking's other ticket keeps the slot."""
        freed = self.bookings.pop(key)
        expert, slot = key.split("@", 1)
        other = sorted(t["id"] for t in self.tickets.values() if t["id"] != ticket_id
                       and t["status"] in ("assigned", "in_progress") and any(
                           a["state"] == "accepted" and a["expert_id"] == int(expert) and a["slot"] == slot
                           for a in t["allocations"]))
        if other:
            self.bookings[key] = {**freed, "ticket_id": other[0]}

    def end_bookings(self, *, ticket_id, actor, now, reason) -> list[int]:
        with self._lock:
            ticket = self._ticket(ticket_id)
            ended = []
            for a in ticket["allocations"]:
                if a["state"] == "accepted":
                    a.update(state="withdrawn", accepted=False, closed_at=_iso(now), reason=reason)
                    ended.append(a["expert_id"])
            for key in [k for k, b in self.bookings.items() if b.get("ticket_id") == ticket_id]:
                self._pass_on(key, ticket_id)
            return sorted(set(ended))

    def visits_between(self, first, last) -> list[dict[str, Any]]:
        with self._lock:
            rows = [{"ticket_id": t["id"], "expert_id": a["expert_id"], "slot": a["slot"], "state": a["state"],
                     "customer_id": t["customer_id"], "reference": t["reference"], "status": t["status"],
                     "accepted_at": a.get("closed_at") or a.get("at"), "on_my_way_at": t.get("on_my_way_at"),
                     "reminded": t.get("reminded"), "at_risk": t.get("at_risk")}
                    for t in self.tickets.values() for a in t["allocations"]
                    if a["state"] in ("accepted", "offered") and t["status"] in ("assigned", "in_progress", "offered")
                    and _iso(first) <= a["slot"] < _iso(last)]
            return sorted(rows, key=lambda r: (r["slot"], r["ticket_id"]))

    def double_bookings(self, now) -> list[list[int]]:
        with self._lock:
            held: dict[tuple, set] = {}
            for t in self.tickets.values():
                for a in t["allocations"]:
                    if (a["state"] == "accepted" and t["status"] in ("assigned", "in_progress")
                            and a["slot"] >= _iso(now - dt.timedelta(hours=4))):
                        held.setdefault((a["expert_id"], a["slot"]), set()).add(t["id"])
            return sorted(sorted(ids) for ids in held.values() if len(ids) > 1)

    def waiting(self, limit=1000) -> list[int]:
        with self._lock:
            return sorted(t["id"] for t in self.tickets.values() if t["source"] == "new" and t["status"] == "new")[:limit]

    def needing_follow_up(self, created_before, limit=100) -> list[int]:
        with self._lock:
            return sorted(t["id"] for t in self.tickets.values() if t["source"] == "new"
                          and t["created_at"] <= _iso(created_before)
                          and (t["status"] == "new" or (not t.get("confirmed_at") and t["status"] != "cancelled")))[:limit]

    def expert_names(self, expert_ids: list[int]) -> dict[int, str]:
        return {i: f"Expert {i}" for i in expert_ids if i in self.experts}

    def article_title(self, article_id) -> str | None:
        with self._lock:
            return self.kb_titles.get(article_id)

    def link_article(self, ticket_id, article_id, title, *, actor, now) -> None:
        with self._lock:
            ticket = self._ticket(ticket_id)
            links = ticket.setdefault("articles", [])
            if all(a["id"] != article_id for a in links):
                links.append({"id": article_id, "title": title})
            self._event(ticket, now, actor, "note", f"Attached article {article_id}: {title}")

    def articles(self, ticket_id) -> list[dict[str, Any]]:
        with self._lock:
            return sorted(copy.deepcopy(self._ticket(ticket_id).get("articles", [])), key=lambda a: a["id"])

    def record(self, *, ticket_id, expert_id, customer_id, score, comment, now, template, version, answers) -> bool:
        with self._lock:
            self._ticket(ticket_id)
            if ticket_id in self.surveys:
                return False
            self.surveys[ticket_id] = {"ticket_id": ticket_id, "expert_id": expert_id, "customer_id": customer_id,
                                       "score": score, "comment": comment, "answered_at": _iso(now),
                                       "template": template, "template_version": version,
                                       "answers": copy.deepcopy(answers)}
            scores = [s["score"] for s in self.surveys.values() if s["expert_id"] == expert_id]
            if expert_id in self.experts:
                self.experts[expert_id]["score"] = sum(scores) / len(scores)
            return True

    def find(self, ticket_id) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self.surveys.get(ticket_id))

    # Survey templates: versions written once each.
    def versions(self, key) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(v) for (k, _), v in sorted(self.templates.items()) if k == key]

    def version(self, key, version) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self.templates.get((key, version)))

    def publish(self, record) -> bool:
        with self._lock:
            if (record["key"], record["version"]) in self.templates:
                return False
            self.templates[(record["key"], record["version"])] = copy.deepcopy(record)
            return True

    def sent_with(self, ticket_id) -> tuple[str, int] | None:
        with self._lock:
            ticket = self.tickets.get(ticket_id) or {}
            return (ticket["survey_template"], ticket["survey_template_version"]) if ticket.get("survey_template") else None

    def answer_counts(self, key) -> dict[int, int]:
        with self._lock:
            counts: dict[int, int] = {}
            for survey in self.surveys.values():
                if survey.get("template") == key:
                    counts[survey["template_version"]] = counts.get(survey["template_version"], 0) + 1
            return counts


class MemoryLinkLedger:
    def __init__(self):
        self.claimed: dict[str, dict] = {}
        self.lock = threading.Lock()

    def claim(self, jti: str, act: str, ticket_id: int, at) -> bool:
        with self.lock:
            if jti in self.claimed:
                return False
            self.claimed[jti] = {"act": act, "ticket_id": ticket_id, "at": at}
            return True

    def used(self, jti: str) -> bool:
        return jti in self.claimed
