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
import logging
import threading
from typing import Any

from bridge_client import BridgeClient, Unavailable
from foundation.shared_reads import SharedReads
from foundation.vocabulary import iso
from fragments.ticketing.published.tickets_v1 import LEGACY_STATUS, legacy_allocation
from graph_store.backends import GraphBackend

from .graph import GraphReportSource

log = logging.getLogger(__name__)
KEPT_PERIODS = 16  # the periods a screen shows and compares; older ones are read again if asked


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
    """While the monolith does not answer, a report counts its tickets as it last did (per period, and
    the figures of now as last read) and says since when (`legacy_as_of`): a manager's report does not
    go blank because the legacy system is frozen, nor pretend its part is current."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        super().__init__(backend, bridge)
        self._lock = threading.Lock()
        self._last_now: tuple[str | None, dict[str, Any]] = (None, {})
        self._rows: dict[tuple[str, str], tuple[list[dict[str, Any]], dt.datetime]] = {}
        self._stale_since: dt.datetime | None = None
        # Managers opening reports at once ask the monolith once per period (and once per moment):
        # a read of its long tail is seconds of its time at scale, not to be repeated side by side.
        self._reads: SharedReads[Any] = SharedReads()

    def legacy_as_of(self) -> dt.datetime | None:
        """When the legacy part of the last figures was read, if it was not read now (else None)."""
        return self._stale_since

    def legacy_tickets_raised(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        start, end = dt.datetime.combine(first, dt.time()), dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        key = (iso(start), iso(end))
        try:
            rows = self._reads.read(key, lambda: [legacy_row(row) for row in self.bridge.legacy_report_rows(*key)])
        except Unavailable:
            with self._lock:
                kept = self._rows.get(key)
            if kept is None:
                raise
            self._stale(kept[1])
            return kept[0]
        with self._lock:
            self._rows[key] = (rows, dt.datetime.now())
            while len(self._rows) > KEPT_PERIODS:
                self._rows.pop(next(iter(self._rows)))
        self._stale_since = None
        return rows

    def _legacy_now(self, now: dt.datetime) -> dict[str, Any]:
        """One bridge read per moment: the waiting table and the expert table of one report share it."""
        key = iso(now)
        with self._lock:
            last_key, last = self._last_now
        if last_key == key:
            return last
        try:
            figures = self._reads.read(("now", key), lambda: self.bridge.legacy_report_now(key))
        except Unavailable:
            if last_key is None:
                raise
            self._stale(dt.datetime.fromisoformat(last_key))
            return last
        with self._lock:
            self._last_now = (key, figures)
        return figures

    def _stale(self, read_at: dt.datetime) -> None:
        log.warning("legacy system not answering: its tickets counted as read at %s", read_at)
        self._stale_since = min(read_at, self._stale_since or read_at)

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

