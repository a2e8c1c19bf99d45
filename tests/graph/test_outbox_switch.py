"""The switch of the outbox from the monolith to the notifications service, while messages are in flight
on both sides, on SQLite and PostgreSQL: every message sent exactly once, by one side, and the
rollback rehearsed (and switched again after it).

Real parts: the monolith under gunicorn (its bridge, with the old notification routes that hand
messages over once switched), the notifications web app under gunicorn (what the bridge hands
over to), FalkorDB, a real SMTP server that counts Message-IDs. The two senders run in this process
as their workers do: the monolith's outbox worker (its claim, its delivery) and the service's
(`Delivery.run_once`), on threads, so that a send can be held mid-way at the SMTP server."""
from __future__ import annotations

import asyncio
import collections
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from email import message_from_bytes

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from foundation.tokens import Principal
from fragments.notifications.adapters.alerts import GraphStaffAlerts
from fragments.notifications.adapters.channels import Channels, SmsSink, Smtp
from fragments.notifications.adapters.legacy_outbox import BridgeLegacyOutbox, roll_back, switch
from fragments.notifications.adapters.messages import GraphMessages
from fragments.notifications.adapters.recipients import GraphRecipients
from fragments.notifications.domain.messages import Category, Message, Recipient, State
from fragments.notifications.wiring import build
from graph_store.backends.falkordb_backend import FalkorBackend
from shell_app.db import make_engine, make_session_factory
from shell_app.demo_data import PRESETS, generate
from shell_app.migrations import upgrade
from shell_app.models import Notification
from shell_app.outbox.transports import SmsLogTransport, SmtpTransport
from shell_app.outbox.worker import claim_due, deliver, run_once
from sysops.graph_data import SCHEMA
from tests.graph.conftest import bridge_client
from tests.support.keys import env as keys_env
from tests.support.keys import mint
from tests.support.processes import ServedMonolith, free_port, terminate, wait_for_health
from tests.support.waiting import wait_until

SENDER = "Sysops Squad <no-reply@sysops-squad.example>"


class Gate:
    """An SMTP handler that counts every message by Message-ID and can hold those whose subject says
    "held" until the gate opens (a send stuck mid-way)."""

    def __init__(self):
        self.received: collections.Counter = collections.Counter()
        self.subjects: dict[str, str] = {}
        self.open = threading.Event()
        self.holding = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content)
        if "held" in mail["Subject"]:
            self.holding.set()
            while not self.open.is_set():
                await asyncio.sleep(0.02)
        with self.lock:
            self.received[mail["Message-ID"]] += 1
            self.subjects[mail["Message-ID"]] = mail["Subject"]
        return "250 OK"

    def by_subject(self) -> collections.Counter:
        with self.lock:
            return collections.Counter({self.subjects[mid]: n for mid, n in self.received.items()})


@pytest.fixture
def world(backend, fresh_database_url, falkor_server, tmp_path):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, seed=11, scale=PRESETS["tiny"], anchor=dt.date(2026, 11, 1))
    gate = Gate()
    smtp = Controller(gate, hostname="127.0.0.1", port=free_port())
    smtp.start()
    graph = f"switch-{backend}-{os.getpid()}-{time.time_ns()}"
    notifications_port = free_port()
    monolith = ServedMonolith(url, "switch-secret", env={
        "SYSOPS_NOTIFICATIONS_URL": f"http://127.0.0.1:{notifications_port}"})
    env = {**os.environ, **keys_env(), "SYSOPS_GRAPH_URL": f"unix://{falkor_server.socket_path}",
           "SYSOPS_GRAPH_NAME": graph, "SYSOPS_BRIDGE_URL": monolith.base, "SYSOPS_DATA_DIR": str(tmp_path),
           "SYSOPS_SMTP_HOST": "127.0.0.1", "SYSOPS_SMTP_PORT": str(smtp.port)}
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{notifications_port}",
                            "--workers", "2", "--threads", "4", "--no-control-socket",
                            "fragments.notifications.app:create_app()"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    backend_ = FalkorBackend(graph=graph, unix_socket_path=str(falkor_server.socket_path))
    backend_.ensure_schema(SCHEMA)
    bridge = bridge_client(monolith.base, "notifications")
    try:
        wait_for_health(f"http://127.0.0.1:{notifications_port}/healthz")
        yield World(url, engine, gate, smtp.port, monolith.base, backend_, bridge, tmp_path)
    finally:
        terminate(web)
        monolith.stop()
        smtp.stop()
        bridge.close()
        backend_.clear()
        backend_.close()
        engine.dispose()


class World:
    def __init__(self, url, engine, gate, smtp_port, monolith, backend, bridge, tmp_path):
        self.url, self.engine, self.gate, self.smtp_port = url, engine, gate, smtp_port
        self.monolith, self.backend, self.bridge = monolith, backend, bridge
        self.sessions = make_session_factory(engine)
        self.legacy_transports = {"email": SmtpTransport("127.0.0.1", smtp_port, SENDER, timeout=30),
                                  "sms": SmsLogTransport(tmp_path / "legacy-sms.log")}
        self.service = build(GraphMessages(backend), GraphRecipients(backend, bridge),
                             Channels(Smtp("127.0.0.1", smtp_port, SENDER, timeout=30), SmsSink(tmp_path / "texts.jsonl")),
                             legacy=BridgeLegacyOutbox(bridge), alerts=GraphStaffAlerts(backend))

    def old_client_sends(self, keys: list[str], subject: str = "Update") -> list[dict]:
        """An old client of the bridge's v1 notification routes (one batch)."""
        token = mint(Principal("service", "ticketing"), "bridge")
        answer = requests.post(f"{self.monolith}/bridge/v1/notifications/batch", timeout=30,
                               headers={"Authorization": f"Bearer {token}"},
                               json={"items": [{"idempotency_key": key, "channel": "email",
                                                "recipient": {"kind": "customer", "id": 1 + i % 5},
                                                "subject": f"{subject} {key}", "body": f"Body of {key}"}
                                               for i, key in enumerate(keys)]})
        assert answer.status_code == 200, answer.text
        assert answer.headers["Sunset"] and "successor-version" in answer.headers["Link"]
        return answer.json()["items"]

    def legacy_rows(self) -> list[Notification]:
        with self.sessions() as session:
            return list(session.scalars(select(Notification).order_by(Notification.id)))


class Worker:
    """The service's worker on a thread: Delivery.run_once until stopped."""

    def __init__(self, world: World):
        self.world, self.stopping = world, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stopping.is_set():
            if not self.world.service.delivery.run_once():
                time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopping.set()
        self.thread.join(30)


def test_messages_in_flight_at_the_switch_are_each_sent_once_and_the_rollback_hands_back_the_rest(world):
    gate = world.gate
    # Before the switch, in the monolith's outbox: ten sent, five claimed by its worker with the first
    # held mid-send at the mail server, one waiting out a back-off, one dead, twenty queued.
    world.old_client_sends([f"before:{i:04d}" for i in range(10)])
    assert run_once(world.sessions, world.legacy_transports) == 10
    world.old_client_sends([f"claimed:{i:04d}" for i in range(5)], subject="held")
    with world.sessions() as session:
        claimed = claim_due(session, dt.datetime.now(), batch=5)
    assert len(claimed) == 5

    def legacy_worker_sends_what_it_claimed():
        with world.sessions() as session:
            for notification_id in claimed:
                deliver(session, notification_id, world.legacy_transports)

    legacy = threading.Thread(target=legacy_worker_sends_what_it_claimed, daemon=True)
    legacy.start()
    assert gate.holding.wait(30), "the legacy worker's first send reached the mail server"
    world.old_client_sends(["backoff:0001", "dead:0001"] + [f"queued:{i:04d}" for i in range(20)])
    with world.sessions() as session:
        session.execute(update(Notification).where(Notification.idempotency_key == "backoff:0001")
                        .values(attempts=2, next_attempt_at=dt.datetime.now() + dt.timedelta(hours=1),
                                last_error="SMTP 451"))
        session.execute(update(Notification).where(Notification.idempotency_key == "dead:0001")
                        .values(status="failed", attempts=6, last_error="mailbox unknown"))
        session.commit()

    with Worker(world):
        result = {}
        switching = threading.Thread(target=lambda: result.update(done=switch(world.backend, world.bridge,
                                                                                wait_s=120, poll_s=0.1)))
        switching.start()
        # While it switches: the queued ones are copied and sent by the service; old clients go on
        # sending through the bridge, which hands their messages over.
        wait_until(lambda: world.bridge.outbox_owner() == "notifications", what="the monolith to hand over")
        world.old_client_sends([f"during:{i:04d}" for i in range(10)])
        wait_until(lambda: world.service.messages.count([State.SENT]) >= 20, what="the copied queue to go out")
        assert switching.is_alive(), "the switch waits for the messages the legacy worker is sending"
        gate.open.set()  # the legacy worker's sends end: they are the monolith's, sent once there
        legacy.join(60)
        switching.join(120)
        switched = result["done"]
        assert switched.left == [] and switched.reconciliation.ok, switched
        expected = {f"{p} {k}" for p, k in (
            *[("Update", f"before:{i:04d}") for i in range(10)], *[("held", f"claimed:{i:04d}") for i in range(5)],
            ("Update", "backoff:0001"), *[("Update", f"queued:{i:04d}") for i in range(20)],
            *[("Update", f"during:{i:04d}") for i in range(10)])}
        wait_until(lambda: set(gate.by_subject()) >= expected, what="every message to arrive")
    received = gate.by_subject()
    assert set(received) == expected and set(received.values()) == {1}, received  # once each; not the dead one
    rows = world.legacy_rows()
    assert all(r.migrated_at is not None for r in rows) and len(rows) == 47
    assert world.bridge.outbox_stats() == {"total": 47, "frozen": 47, "migrated": 47}
    dead = world.service.messages.by_keys(["dead:0001"])["dead:0001"]
    assert dead.state == State.FAILED  # a dead letter here now, for staff to resend

    # The rollback: messages the service holds unsent go back to the monolith, which sends them once.
    for key in ("after:0001", "after:0002", "after:0003"):
        world.service.sending.accept([_message(key)])
    rolled = roll_back(world.backend, world.bridge, wait_s=30)
    assert rolled.handed_back == 3
    assert world.bridge.outbox_owner() == "legacy"
    with Worker(world):  # the service's worker sends nothing of the outbox's now
        world.old_client_sends(["legacy-again:0001"])
        while run_once(world.sessions, world.legacy_transports):
            pass
        wait_until(lambda: {"Rolled after:0001", "Rolled after:0002", "Rolled after:0003",
                            "Update legacy-again:0001"} <= set(gate.by_subject()), what="the handed-back messages")
    assert {world.service.messages.by_keys([k])[k].state for k in ("after:0001", "after:0002", "after:0003")} == {
        State.RETURNED}
    # Switched again: what the monolith sent meanwhile is copied as sent, not sent a second time.
    with Worker(world):
        again = switch(world.backend, world.bridge, wait_s=30)
        assert again.left == [] and again.reconciliation.ok
        wait_until(lambda: world.service.messages.by_keys(["after:0001"])["after:0001"].state == State.SENT,
                   what="the re-taken copy to read as sent")
    received = gate.by_subject()
    assert set(received.values()) == {1}, received


def _message(key: str):
    now = dt.datetime.now()
    return Message(key=key, recipient=Recipient("customer", 2), category=Category.CONFIRMATION,
                   subject=f"Rolled {key}", body=f"Body of {key}", requested_by="ticketing", created_at=now,
                   channel="email")
