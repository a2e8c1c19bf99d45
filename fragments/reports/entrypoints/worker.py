"""The reports worker (`sysops reports-worker`): keeps every day's summary current (docs/adr/0019), so
the first report of any period reads kept summaries only, however long the period and whether anyone
asked for it before. Every `SYSOPS_REPORTS_KEEP_SECONDS` (30 s) it recomputes the days whose tickets
changed since their summary was kept (a ticket write bumps its day's version): after a backfill or a
bulk load all of them once, then the few days live traffic touches. Stateless: a restarted (or second)
worker finds the same days behind, and a summary is kept only at the version it was computed from."""
from __future__ import annotations

import logging
import os
import signal
from typing import Callable

from prometheus_client import Counter

from foundation import request_ids
from foundation.loops import keep_running
from graph_store.config import open_store
from graph_store.errors import StoreError

from ..adapters.catalogue import PublishedTerms
from ..adapters.graph import GraphReportSource
from ..services.daily import DailySummaries
from ..services.service_levels import Promises
from ..wiring import customers_reader

log = logging.getLogger(__name__)
KEPT = Counter("sysops_report_days_kept_total", "Day summaries the reports worker recomputed and kept")
TRANSIENT = (StoreError, ConnectionError, OSError)


def run_forever(daily: DailySummaries, should_stop: Callable[[], bool], interval: float = 30.0) -> None:
    def step() -> bool:
        request_ids.begin()
        kept = daily.keep_current()
        KEPT.inc(kept)
        if kept:
            log.info("kept the summaries of %d days", kept)
        return False  # rest: the next round finds what changed meanwhile

    keep_running(step, should_stop, transient=TRANSIENT, log=log, idle=interval, max_backoff=interval,
                 name="reports-worker")


def main(settings) -> int:
    request_ids.configure_logging("reports-worker")
    os.nice(int(os.environ.get("SYSOPS_WORKER_NICE", "5")))
    stopping: list[bool] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    graph = open_store(settings, "reports")
    try:
        print("reports-worker: keeping every day's report summary current", flush=True)
        terms = PublishedTerms(customers_reader(graph, settings))
        run_forever(DailySummaries(GraphReportSource(graph.backend, graph.bridge), Promises(terms)), lambda: bool(stopping),
                    interval=float(os.environ.get("SYSOPS_REPORTS_KEEP_SECONDS", "30")))
    finally:
        graph.bridge.close()
        graph.close()
    return 0
