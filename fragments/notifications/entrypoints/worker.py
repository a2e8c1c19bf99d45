"""The notifications worker (`sysops notifications-worker`): sends what is due, polled every
`SYSOPS_NOTIFY_POLL_SECONDS` (0.2 s), as fast as the channels take it while there is more. Its timers
are the messages' `next_attempt_at` in the graph, so a restarted (or second) worker finds every due
message again; a message leased by a worker that died is claimed again when its lease
(`SYSOPS_NOTIFY_LEASE_SECONDS`, 60) runs out."""
from __future__ import annotations

import datetime as dt
import logging
import os
import signal
from typing import Callable

from prometheus_client import Counter

from foundation import request_ids
from foundation.loops import keep_running
from graph_store.config import open_store
from graph_store.errors import StoreError

from ..services.ports import NotificationsStoreError
from ..wiring import Notifications, on_graph

log = logging.getLogger(__name__)
SENT = Counter("sysops_messages_handled_total", "Messages the notifications worker took from the queue")
TRANSIENT = (NotificationsStoreError, StoreError, ConnectionError, OSError)


def run_forever(notifications: Notifications, should_stop: Callable[[], bool], interval: float = 0.2) -> None:
    def step() -> bool:
        request_ids.begin()
        handled = notifications.delivery.run_once()
        SENT.inc(handled)
        return handled > 0  # more may be due: go again at once

    keep_running(step, should_stop, transient=TRANSIENT, log=log, idle=interval, max_backoff=5.0,
                 name="notifications-worker")


def main(settings) -> int:
    request_ids.configure_logging("notifications-worker")
    stopping: list[bool] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    graph = open_store(settings, "notifications")
    try:
        lease = dt.timedelta(seconds=float(os.environ.get("SYSOPS_NOTIFY_LEASE_SECONDS", "60")))
        notifications = on_graph(graph, settings, lease=lease)
        print("notifications-worker: sending due messages", flush=True)
        run_forever(notifications, lambda: bool(stopping),
                    interval=float(os.environ.get("SYSOPS_NOTIFY_POLL_SECONDS", "0.2")))
    finally:
        graph.bridge.close()
        graph.close()
    return 0
