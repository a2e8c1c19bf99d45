"""Messages per second through the notifications service against the raw accept rate of the same SMTP
sink, and the hand-over of a raise's confirmation to the service against the bridge path, in one run.

    .venv/bin/python -m benchmarks.notifications [--messages 600] [--workers 2] [--handovers 200]

- Throughput: an SMTP sink in its own process (aiosmtpd's Sink handler: accepts and drops). Baseline:
  plain smtplib sends from `--workers` threads, one connection per message (as the service sends).
  Service: the same number of messages accepted in batches of 100 (stored in FalkorDB), then sent by
  `--workers` threads each running the worker's step (claim under a lease, send, record). Ratio =
  service / baseline (target: at least 0.5).
- Raise path: what a raise's follow-up waits on to confirm it: one confirmation handed over and stored
  durably, over HTTP, by the notifications service (gunicorn, FalkorDB) against the bridge path the
  raise used before (the monolith's `POST /bridge/v1/notifications/batch`, gunicorn, SQLite): p50 and
  p99 of each, and their ratio.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import requests

from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from fragments.notifications.adapters.channels import Channels, SmsSink, Smtp
from fragments.notifications.adapters.messages import GraphMessages
from fragments.notifications.adapters.recipients import GraphRecipients
from fragments.notifications.domain.messages import Recipient, State
from fragments.notifications.services.sending import parse
from fragments.notifications.wiring import build
from fragments.ticketing.adapters.notifications_http import NotificationsHttp
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from sysops.graph_data import SCHEMA

from .harness import KEYS_DIR, Figures, gunicorn_monolith, mint, seeded_sqlite

SENDER = "Sysops Squad <no-reply@sysops-squad.example>"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def raw_smtp(port: int, count: int, workers: int) -> Figures:
    latencies: list[float] = []
    lock = threading.Lock()
    per = count // workers

    def send(worker: int) -> None:
        for n in range(per):
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = SENDER, f"c{n}@example.com", f"raw {worker}-{n}"
            mail["Message-ID"] = f"<raw.{worker}.{n}@sysops-squad.example>"
            mail.set_content("We received your ticket.")
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                smtp.send_message(mail)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=send, args=(w,)) for w in range(workers)]
    started = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    return Figures("raw SMTP sink accept", per * workers, time.perf_counter() - started, latencies)


def through_service(backend: FalkorBackend, port: int, count: int, workers: int, data: Path) -> Figures:
    messages = GraphMessages(backend)
    recipients = GraphRecipients(backend, bridge=None)  # type: ignore[arg-type]  # every person copied first
    recipients.copy([(Recipient("customer", c), {"first_name": "Ada", "last_name": f"C{c}", "email": f"c{c}@example.com",
                                                 "phone": "+447700900000", "notification_preference": "email"})
                     for c in range(1, 51)])
    service = build(messages, recipients, Channels(Smtp("127.0.0.1", port, SENDER), SmsSink(data / "texts.jsonl")))
    clock = dt.datetime.now
    bodies = [{"key": f"bench:{time.time_ns()}:{n}", "category": "confirmation",
               "recipient": {"kind": "customer", "id": 1 + n % 50}, "subject": f"Ticket N-{n} received",
               "body": "We received your ticket."} for n in range(count)]
    started = time.perf_counter()
    for start in range(0, count, 100):
        service.sending.accept([parse(b, "ticketing", clock) for b in bodies[start:start + 100]])

    def work() -> None:
        while service.delivery.run_once(limit=10):
            pass

    threads = [threading.Thread(target=work) for _ in range(workers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - started
    sent = messages.count([State.SENT])
    assert sent == count, f"{sent} of {count} sent"
    return Figures("through the service (accept, claim, send, record)", count, elapsed, [])


def handovers(send, count: int, name: str) -> Figures:
    latencies = []
    started = time.perf_counter()
    for n in range(count):
        message = {"key": f"received:{time.time_ns()}:{n}", "category": "confirmation",
                   "recipient": {"kind": "customer", "id": 1 + n % 20}, "subject": f"We received ticket N-{n}",
                   "body": "Ticket received."}
        began = time.perf_counter()
        send(message)
        latencies.append((time.perf_counter() - began) * 1000)
    return Figures(name, count, time.perf_counter() - started, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--handovers", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="sysops-bench-notify-"))
    smtp_port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c",
                             "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    graph = FalkorServer(data / "graph")
    graph_process = graph.spawn(stdout=subprocess.DEVNULL)
    web = None
    try:
        wait_port(smtp_port)
        graph.wait_ready(graph_process)
        backend = FalkorBackend(graph="bench", unix_socket_path=str(graph.socket_path))
        backend.ensure_schema(SCHEMA)
        raw = raw_smtp(smtp_port, args.messages, args.workers)
        service = through_service(backend, smtp_port, args.messages, args.workers, data)
        print(raw.row())
        print(f"{service.name:<44} {service.per_second:>9.0f}/s  (n={service.count})")
        print(f"ratio service / raw sink: {service.per_second / raw.per_second:.2f} (target >= 0.5)")

        url = seeded_sqlite("tiny")
        notifications_port = free_port()
        env = {**os.environ, "SYSOPS_KEYS_DIR": str(KEYS_DIR), "SYSOPS_GRAPH_URL": f"unix://{graph.socket_path}",
               "SYSOPS_GRAPH_NAME": "bench", "SYSOPS_DATA_DIR": str(data)}
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{notifications_port}",
                                "--workers", "2", "--threads", "4", "--no-control-socket",
                                "fragments.notifications.app:create_app()"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        with gunicorn_monolith(url, "bench-secret") as monolith:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"http://127.0.0.1:{notifications_port}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            notifier = NotificationsHttp(f"http://127.0.0.1:{notifications_port}",
                                         lambda: mint(Principal("service", "ticketing"), "fragment:notifications"))
            bridge = HttpBridgeClient(monolith, lambda: mint(Principal("service", "ticketing"), "bridge"))

            def to_bridge(m: dict) -> None:
                bridge.notify_many([{"idempotency_key": m["key"], "channel": "preferred", "recipient": m["recipient"],
                                     "subject": m["subject"], "body": m["body"]}])

            handovers(lambda m: notifier.send([m]), 20, "warm-up")
            handovers(to_bridge, 20, "warm-up")
            new = handovers(lambda m: notifier.send([m]), args.handovers, "confirmation -> notifications service")
            old = handovers(to_bridge, args.handovers, "confirmation -> bridge outbox (before)")
            print(new.row())
            print(old.row())
            print(f"ratio p50 service / bridge: {new.percentile(50) / old.percentile(50):.2f}; "
                  f"p99: {new.percentile(99) / old.percentile(99):.2f}")
    finally:
        if web is not None:
            web.terminate()
            web.wait(15)
        graph_process.terminate()
        graph_process.wait(15)
        sink.terminate()
        sink.wait(15)


if __name__ == "__main__":
    main()
