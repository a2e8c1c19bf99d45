"""An in-memory BridgeClient for fast service-layer tests (same interface, same exceptions)."""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Iterator

from bridge_client import Conflict, InvalidRequest, NotFound, article_checksum
from foundation.vocabulary import STAFF_ROLES
from tests.support.fake_customers import covering_contract


class FakeBridgeClient:
    def __init__(self) -> None:
        self.customers: dict[int, dict] = {}
        self.contracts: dict[int, list[dict]] = {}
        self.product_list: list[dict] = []
        self.locale_list: list[dict] = []
        self.plan_list: list[dict] = []
        self.handover_marks: dict[tuple[str, int], dict] = {}
        self.accounts: dict[int, dict] = {}  # id -> the account as the bridge publishes it (serializers.account_content)
        self.expert_map: dict[int, dict] = {}
        self.legacy_tickets: dict[int, dict] = {}
        self.notifications: dict[str, dict] = {}
        self.articles: dict[int, dict] = {}
        self.alerts: list[dict] = []
        self.batches: list[tuple[str, int]] = []  # (what, how many) per batch call, in order
        self.unavailable = False
        self._ids = itertools.count(1)

    def _check(self) -> None:
        if self.unavailable:
            from bridge_client import Unavailable

            raise Unavailable("fake bridge switched off")

    def _found(self, table: dict, key: int, what: str) -> dict:
        self._check()
        if key not in table:
            raise NotFound(f"no {what} {key}", 404)
        return table[key]

    def get_customer(self, customer_id: int) -> dict:
        return self._found(self.customers, customer_id, "customer")

    def customer_contracts(self, customer_id: int) -> list[dict]:
        self.get_customer(customer_id)
        return self.contracts.get(customer_id, [])

    def coverage(self, customer_id: int, product_id: int, on: dt.date | None = None) -> dict:
        day = on or dt.date.today()
        contract = covering_contract(self.customer_contracts(customer_id), product_id, day)
        return {"customer_id": customer_id, "product_id": product_id, "on": day.isoformat(),
                "covered": contract is not None, "contract_id": contract["id"] if contract else None}

    def products(self) -> list[dict]:
        self._check()
        return list(self.product_list)

    def locales(self) -> list[dict]:
        self._check()
        return list(self.locale_list)

    def experts(self, product_id: int | None = None, locale_id: int | None = None) -> Iterator[dict]:
        self._check()
        for expert in sorted(self.expert_map.values(), key=lambda e: e["id"]):
            if product_id is not None and product_id not in {s["product_id"] for s in expert["skills"]}:
                continue
            if locale_id is not None and locale_id not in expert["locale_ids"]:
                continue
            yield expert

    def get_expert(self, expert_id: int) -> dict:
        return self._found(self.expert_map, expert_id, "expert")

    def legacy_ticket_ids(self, migrated: str = "any", page_size: int = 500, statuses=()) -> Iterator[int]:
        self._check()
        for ticket_id in sorted(self.legacy_tickets):
            is_migrated = self.legacy_tickets[ticket_id].get("migrated_at") is not None
            wanted = not statuses or self.legacy_tickets[ticket_id]["status"] in statuses
            if wanted and (migrated == "any" or (migrated == "true") == is_migrated):
                yield ticket_id

    def get_legacy_ticket(self, ticket_id: int) -> dict:
        return self._found(self.legacy_tickets, ticket_id, "legacy ticket")

    def mark_migrated(self, ticket_id: int) -> dict:
        ticket = self.get_legacy_ticket(ticket_id)
        ticket["migrated_at"] = ticket.get("migrated_at") or dt.datetime.now().replace(microsecond=0).isoformat()
        return {"id": ticket_id, "reference": ticket["reference"], "migrated_at": ticket["migrated_at"]}

    def get_legacy_tickets(self, ticket_ids: list[int]) -> list[dict]:
        self._check()
        return [self.legacy_tickets[i] for i in sorted(set(ticket_ids)) if i in self.legacy_tickets]

    def freeze_legacy_tickets(self, ticket_ids: list[int], reader: dict | None = None) -> list[dict]:
        records = self.get_legacy_tickets(ticket_ids)
        if reader is not None and reader["role"] not in STAFF_ROLES:
            mine = "customer_id" if reader["role"] == "customer" else "assigned_expert_id"
            ref = reader["customer_id"] if reader["role"] == "customer" else reader["expert_id"]
            records = [r for r in records if r.get(mine) == ref]
        for ticket in records:
            ticket["frozen_at"] = ticket.get("frozen_at") or dt.datetime.now().replace(microsecond=0).isoformat()
        return records

    def legacy_commitments(self, slots=(), expert_id=None) -> list[int]:
        self._check()
        return sorted(i for i, t in self.legacy_tickets.items()
                      if not t.get("migrated_at") and t["status"] in ("assigned", "in_progress")
                      and t["assigned_expert_id"] is not None
                      and (expert_id is None or t["assigned_expert_id"] == expert_id)
                      and (not slots or set(slots) & set(t["slots"])))

    def _legacy_only(self) -> list[dict]:
        return [t for _, t in sorted(self.legacy_tickets.items()) if not t.get("frozen_at")]

    def legacy_report_rows(self, start: str, end: str) -> list[list]:
        self._check()
        return [[t["id"], t["reference"], t["status"], t["product_id"], t["locale_id"], t["created_at"],
                 t["closed_at"], sum(1 for h in t["history"] if h["detail"].startswith("closed -> ")),
                 t["assigned_expert_id"], min((h["at"] for h in t["history"] if h["action"] == "assigned"),
                                              default=None), t["customer_id"], t["contract_id"]]
                for t in self._legacy_only() if start <= t["created_at"] < end]

    def legacy_report_now(self, now: str) -> dict:
        self._check()
        loads: dict[int, int] = {}
        surveys: dict[int, list[float]] = {}
        waiting = []
        for t in self._legacy_only():
            if t["status"] == "open":
                waiting.append({"id": t["id"], "reference": t["reference"], "created_at": t["created_at"],
                                "waiting_since": t["updated_at"]})
            expert = t["assigned_expert_id"]
            if expert is not None and t["status"] in ("assigned", "in_progress"):
                loads[expert] = loads.get(expert, 0) + sum(1 for s in t["slots"] if s >= now)
            if expert is not None and t.get("survey"):
                surveys.setdefault(expert, []).append(t["survey"]["score"])
        return {"waiting": sorted(waiting, key=lambda w: w["waiting_since"]),
                "loads": [{"expert_id": x, "load": n} for x, n in sorted(loads.items()) if n],
                "surveys": [{"expert_id": x, "score_sum": sum(s), "answers": len(s)} for x, s in sorted(surveys.items())]}

    def write_back(self, tickets: list[dict]) -> list[int]:
        self._check()
        for ticket in tickets:
            previous = self.legacy_tickets.get(ticket["id"], {})
            self.legacy_tickets[ticket["id"]] = {**previous, **ticket, "frozen_at": None, "migrated_at": None}
        return [ticket["id"] for ticket in tickets]

    def mark_migrated_many(self, ticket_ids: list[int]) -> list[dict]:
        return [self.mark_migrated(i) for i in sorted(set(ticket_ids)) if i in self.legacy_tickets]

    def legacy_stats(self) -> dict:  # (experts: how many profiles the monolith holds)
        self._check()
        migrated = sum(1 for t in self.legacy_tickets.values() if t.get("migrated_at"))
        return {"total": len(self.legacy_tickets), "migrated": migrated,
                "remaining": len(self.legacy_tickets) - migrated}

    def legacy_checksums(self, page_size: int = 500) -> Iterator[dict]:
        self._check()
        for ticket_id in sorted(self.legacy_tickets):
            ticket = self.legacy_tickets[ticket_id]
            yield {"id": ticket_id, "checksum": ticket["checksum"], "frozen_at": ticket.get("frozen_at"),
                   "migrated_at": ticket.get("migrated_at")}

    def notify(self, *, idempotency_key: str, channel: str, recipient_kind: str, recipient_id: int,
               subject: str, body: str) -> dict:
        self._check()
        if channel == "preferred":  # as the monolith resolves it
            if recipient_kind == "customer" and recipient_id not in self.customers:
                raise InvalidRequest(f"no customer {recipient_id}", 422)
            channel = ("sms" if recipient_kind == "expert" else
                       self.customers[recipient_id].get("notification_preference") or "email")
        existing = self.notifications.get(idempotency_key)
        request = {"channel": channel, "recipient": {"kind": recipient_kind, "id": recipient_id},
                   "subject": subject, "body": body}
        if existing is not None:
            if {k: existing[k] for k in request} != request:
                raise Conflict(f"idempotency key {idempotency_key!r} reused", 409)
            return existing
        created = {"id": next(self._ids), "idempotency_key": idempotency_key, "status": "queued", "attempts": 0,
                   **request}
        self.notifications[idempotency_key] = created
        return created

    def notify_many(self, messages: list[dict]) -> list[dict]:
        self._check()
        self.batches.append(("notifications", len(messages)))
        outcomes = []
        for m in messages:
            known = m["idempotency_key"] in self.notifications
            try:
                row = self.notify(idempotency_key=m["idempotency_key"], channel=m["channel"],
                                  recipient_kind=m["recipient"]["kind"], recipient_id=m["recipient"]["id"],
                                  subject=m["subject"], body=m["body"])
            except Conflict as exc:
                outcomes.append({"status": 409, "problem": {"detail": str(exc)}})
                continue
            except InvalidRequest as exc:
                outcomes.append({"status": 422, "problem": {"detail": str(exc)}})
                continue
            outcomes.append({"status": 200 if known else 202, "notification": row})
        return outcomes

    def notification(self, notification_id: int) -> dict:
        self._check()
        for row in self.notifications.values():
            if row["id"] == notification_id:
                return row
        raise NotFound(f"no notification {notification_id}", 404)

    # The monolith's outbox as the notifications service's switch sees it (no lease here: nothing is
    # ever being sent by the fake, so every message may be frozen).
    outbox_owned_by, outbox_since = "legacy", None

    def outbox_owner(self) -> str:
        self._check()
        return self.outbox_owned_by

    def outbox_switched_since(self) -> str | None:
        self._check()
        return self.outbox_since

    def set_outbox_owner(self, owner: str) -> None:
        self._check()
        self.outbox_owned_by, self.outbox_since = owner, dt.datetime.now().isoformat()

    def _outbox(self) -> list[dict]:
        return sorted(self.notifications.values(), key=lambda row: row["id"])

    def outbox_stats(self) -> dict:
        self._check()
        rows = self._outbox()
        return {"total": len(rows), "frozen": sum(1 for r in rows if r.get("frozen")),
                "migrated": sum(1 for r in rows if r.get("migrated"))}

    def outbox_ids(self, migrated: str = "any") -> Iterator[int]:
        self._check()
        return iter([r["id"] for r in self._outbox() if migrated != "false" or not r.get("migrated")])

    def freeze_outbox(self, message_ids: list[int]) -> list[dict]:
        self._check()
        rows = [r for r in self._outbox() if r["id"] in set(message_ids)]
        for row in rows:
            row["frozen"] = True
        return [{**row, "created_at": "2026-11-01T00:00:00", "sent_at": None, "last_error": None, "address": "",
                 "requested_by": "ticketing", "next_attempt_at": "2026-11-01T00:00:00",
                 "checksum": hashlib.sha256(row["idempotency_key"].encode()).hexdigest()} for row in rows]

    def mark_outbox(self, message_ids: list[int]) -> None:
        self._check()
        for row in self._outbox():
            if row["id"] in set(message_ids):
                row.update(frozen=True, migrated=True)

    def hand_back(self, messages: list[dict]) -> list[dict]:
        self._check()
        outcomes = []
        for m in messages:
            row = self.notifications.get(m["idempotency_key"]) or self.notify(
                idempotency_key=m["idempotency_key"], channel=m["channel"], recipient_kind=m["recipient"]["kind"],
                recipient_id=m["recipient"]["id"], subject=m["subject"], body=m["body"])
            if row["status"] == "queued":
                row.update(frozen=False, migrated=False)
            outcomes.append({"key": m["idempotency_key"], "id": row["id"],
                             "status": "queued" if row["status"] == "queued" else "done"})
        return outcomes

    def outbox_checksums(self) -> Iterator[dict]:
        self._check()
        return iter([{"id": r["id"], "key": r["idempotency_key"], "status": r["status"],
                      "checksum": hashlib.sha256(r["idempotency_key"].encode()).hexdigest(),
                      "frozen": bool(r.get("frozen")), "migrated": bool(r.get("migrated"))} for r in self._outbox()])

    def search_articles(self, q: str = "", product_id: int | None = None, limit: int = 10) -> list[dict]:
        self._check()
        words = q.lower().split()
        hits = [a for a in self.articles.values()
                if (product_id is not None and a.get("product_id") == product_id)
                or any(w in a["title"].lower() for w in words)]
        return hits[:limit]

    def get_article(self, article_id: int) -> dict:
        return self._found(self.articles, article_id, "article")

    def article_ids(self, migrated: str = "any") -> Iterator[int]:
        self._check()
        return iter(sorted(i for i, a in self.articles.items() if migrated != "false" or not a.get("migrated")))

    def article_stats(self) -> dict:
        self._check()
        rows = self.articles.values()
        return {"total": len(rows), "frozen": sum(1 for a in rows if a.get("frozen")),
                "migrated": sum(1 for a in rows if a.get("migrated"))}

    def freeze_articles(self, article_ids: list[int]) -> list[dict]:
        self._check()
        for i in article_ids:
            if i in self.articles:
                self.articles[i]["frozen"] = True
        return [dict(self.articles[i]) for i in sorted(set(article_ids)) if i in self.articles]

    def mark_articles_migrated(self, article_ids: list[int]) -> None:
        self._check()
        for i in article_ids:
            if i in self.articles:
                self.articles[i].update(frozen=True, migrated=True)

    def article_checksums(self, page_size: int = 500) -> Iterator[dict]:
        self._check()
        return iter([{"id": i, "checksum": article_checksum({**row, "id": i}), "frozen_at": None,
                      "migrated_at": "2026-01-01T00:00:00" if row.get("migrated") else None}
                     for i, row in sorted(self.articles.items())])

    def release_articles(self, article_ids: list[int]) -> None:
        self._check()
        for i in article_ids:
            if i in self.articles:
                self.articles[i].update(frozen=False, migrated=False)

    def publish_article(self, article_id: int, article: dict) -> dict:
        self._check()
        row = self.articles.setdefault(article_id, {"id": article_id})
        row.update(article, frozen=True, migrated=True)
        return dict(row)

    def raise_staff_alerts(self, alerts: list[dict]) -> list[dict]:
        self._check()
        self.batches.append(("staff-alerts", len(alerts)))
        return [self.raise_staff_alert(a["kind"], a["message"], a.get("ticket_reference")) for a in alerts]

    def staff_alerts(self) -> Iterator[dict]:
        return iter(sorted(self.alerts, key=lambda a: a["id"], reverse=True))

    def raise_staff_alert(self, kind: str, message: str, ticket_reference: str | None = None) -> dict:
        self._check()
        alert = {"id": len(self.alerts) + 1, "kind": kind, "message": message, "ticket_reference": ticket_reference,
                 "raised_by": "ticketing", "created_at": "2026-11-25T09:00:00", "acknowledged_at": None}
        self.alerts.append(alert)
        return alert

    # Customers (with contracts), products, plans, locales as the customers service takes them over.
    def _handover_content(self, kind: str) -> dict[int, dict]:
        if kind == "accounts":
            return {i: dict(a) for i, a in self.accounts.items()}
        if kind == "customers":
            return {i: {"id": i, **{k: c.get(k, "") for k in ("first_name", "last_name", "email", "phone",
                                                              "address_line", "city", "postcode")},
                        "locale_id": c["locale"]["id"], "notification_preference": c.get("notification_preference", "email"),
                        "created_at": c.get("created_at"),
                        "contracts": [{"id": k["id"], "reference": k["reference"], "plan_id": k["plan"]["id"],
                                       "start_date": k["start_date"], "end_date": k["end_date"], "status": k["status"],
                                       "product_ids": list(k["product_ids"])}
                                      for k in sorted(self.contracts.get(i, []), key=lambda k: k["id"])]}
                    for i, c in self.customers.items()}
        rows = {"products": self.product_list, "plans": self.plan_list, "locales": self.locale_list}[kind]
        return {r["id"]: dict(r) for r in rows}

    def _marks(self, kind: str) -> dict[int, dict]:
        return {i: self.handover_marks.setdefault((kind, i), {"frozen_at": None, "migrated_at": None})
                for i in self._handover_content(kind)}

    def _record(self, kind: str, record_id: int) -> dict:
        from bridge_client import record_checksum

        content = self._handover_content(kind)[record_id]
        return {**content, "checksum": record_checksum(content), **self._marks(kind)[record_id]}

    def handover_ids(self, kind: str, migrated: str = "any") -> Iterator[int]:
        self._check()
        return iter(sorted(i for i, m in self._marks(kind).items() if migrated != "false" or m["migrated_at"] is None))

    def handover_stats(self, kind: str) -> dict:
        self._check()
        marks = self._marks(kind).values()
        return {"total": len(marks), "frozen": sum(1 for m in marks if m["frozen_at"]),
                "migrated": sum(1 for m in marks if m["migrated_at"])}

    def freeze_handover(self, kind: str, ids: list[int]) -> list[dict]:
        self._check()
        marks, now = self._marks(kind), dt.datetime.now().replace(microsecond=0).isoformat()
        for i in ids:
            if i in marks:
                marks[i]["frozen_at"] = marks[i]["frozen_at"] or now
        return [self._record(kind, i) for i in sorted(set(ids)) if i in marks]

    def mark_handover(self, kind: str, ids: list[int]) -> None:
        self._check()
        marks, now = self._marks(kind), dt.datetime.now().replace(microsecond=0).isoformat()
        for i in ids:
            if i in marks:
                marks[i]["frozen_at"] = marks[i]["frozen_at"] or now
                marks[i]["migrated_at"] = marks[i]["migrated_at"] or now

    def handover_checksums(self, kind: str, page_size: int = 500) -> Iterator[dict]:
        self._check()
        return iter([{k: r[k] for k in ("id", "checksum", "frozen_at", "migrated_at")}
                     for r in (self._record(kind, i) for i in sorted(self._marks(kind)))])

    def write_back_account(self, account_id: int, account: dict) -> dict:
        self._check()
        self.accounts[account_id] = {**self.accounts.get(account_id, {}), **account, "id": account_id}
        return self._record("accounts", account_id)

    def account_named(self, username: str) -> int | None:
        self._check()
        return next((i for i, a in self.accounts.items() if a["username"] == username), None)

    def write_back_contact(self, customer_id: int, contact: dict) -> dict:
        customer = self.get_customer(customer_id)
        if not self._marks("customers")[customer_id]["frozen_at"]:
            raise Conflict(f"customer {customer_id} was never taken over", 409)
        customer.update(contact)
        return self._record("customers", customer_id)

    def write_back_record(self, kind: str, record_id: int, content: dict) -> dict:
        self._check()
        self.batches.append((f"write-back {kind}", 1))
        if kind == "contracts":
            contracts = self.contracts.setdefault(content["customer_id"], [])
            contracts[:] = [k for k in contracts if k["id"] != record_id]
            contracts.append({"id": record_id, "reference": content["reference"], "customer_id": content["customer_id"],
                              "plan": {"id": content["plan_id"]}, "start_date": content["start_date"],
                              "end_date": content["end_date"], "status": content["status"],
                              "product_ids": list(content["product_ids"])})
            return {"id": record_id, **content}
        rows = {"products": self.product_list, "plans": self.plan_list, "locales": self.locale_list}[kind]
        rows[:] = [r for r in rows if r["id"] != record_id] + [{"id": record_id, **content}]
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        self.handover_marks[(kind, record_id)] = {"frozen_at": now, "migrated_at": now}
        return self._record(kind, record_id)

    def write_back_expert(self, expert_id: int, record: dict) -> dict:
        self._check()
        expert = self.expert_map.setdefault(expert_id, {"id": expert_id, "skills": [], "locale_ids": [],
                                                        "weekly_availability": [], "time_off": []})
        expert.update(record)
        return dict(expert)

    def release_handover(self, kind: str, ids: list[int]) -> None:
        self._check()
        for i in ids:
            self.handover_marks[(kind, i)] = {"frozen_at": None, "migrated_at": None}
