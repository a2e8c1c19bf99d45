"""The reports' rows over the whole business: every ticket the graph holds, plus every ticket only the
legacy system holds (read through the bridge's aggregate reads), each counted once.

"Only the legacy system holds it" is decided by the legacy side: its copy has not been taken (not
frozen). Once frozen, the graph holds it (or, after a crash between the freeze and the graph write,
is about to: the migration table shows those as "frozen, awaiting copy"). Legacy rows are mapped
exactly as the migration maps them (ticketing's published tickets_v1), so a figure does not move when
a ticket migrates.
"""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from bridge_client import BridgeClient
from foundation.vocabulary import iso
from fragments.ticketing.published.tickets_v1 import LEGACY_STATUS, legacy_allocation
from graph_store.backends import GraphBackend

from .graph import GraphReportSource


def legacy_row(row: list[Any]) -> dict[str, Any]:
    """One bridge report row (with its customer and contract) as the graph's report row."""
    (ticket_id, reference, status, product_id, locale_id, created, closed, reopened, expert_id, assigned_at,
     customer_id, contract_id) = row
    allocation = legacy_allocation(status, expert_id, assigned_at, created)
    allocations = [{**allocation, "closed_at": None, "reason": None}] if allocation else []
    return {"id": ticket_id, "reference": reference, "status": LEGACY_STATUS[status], "product_id": product_id,
            "locale_id": locale_id, "created_at": created, "closed_at": closed, "reopened": reopened,
            "customer_id": customer_id, "contract_id": contract_id, "allocations": allocations, "source": "legacy-only"}


class WholeBusinessSource(GraphReportSource):
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        super().__init__(backend, bridge)
        self._lock = threading.Lock()
        self._last_now: tuple[str | None, dict[str, Any]] = (None, {})

    def legacy_tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        start, end = dt.datetime.combine(first, dt.time()), dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        return [legacy_row(row) for row in self.bridge.legacy_report_rows(iso(start), iso(end))]

    def _legacy_now(self, now: dt.datetime) -> dict[str, Any]:
        """One bridge read per moment: the waiting table and the expert table of one report share it."""
        key = iso(now)
        with self._lock:
            if self._last_now[0] == key:
                return self._last_now[1]
        figures = self.bridge.legacy_report_now(key)
        with self._lock:
            self._last_now = (key, figures)
        return figures

    def waiting(self, now: dt.datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        legacy = [{**w, "status": LEGACY_STATUS["open"]} for w in self._legacy_now(now or dt.datetime.now())["waiting"]]
        both = sorted(super().waiting(now, limit) + legacy, key=lambda w: (w["waiting_since"], w["reference"]))
        return both if limit is None else both[:limit]

    def waiting_count(self, now: dt.datetime | None = None) -> int:
        return super().waiting_count(now) + len(self._legacy_now(now or dt.datetime.now())["waiting"])

    def experts(self, now: dt.datetime) -> list[dict[str, Any]]:
        legacy = self._legacy_now(now)
        loads = {row["expert_id"]: row["load"] for row in legacy["loads"]}
        surveys = {row["expert_id"]: row for row in legacy["surveys"]}
        merged = []
        for expert in super().experts(now):
            extra = surveys.get(expert["id"], {"score_sum": 0.0, "answers": 0})
            answers = (expert.get("answers") or 0) + extra["answers"]
            total = (expert.get("score") or 0.0) * (expert.get("answers") or 0) + extra["score_sum"]
            merged.append({**expert, "load": (expert.get("load") or 0) + loads.get(expert["id"], 0),
                           "score": total / answers if answers else None, "answers": answers})
        return merged

