"""The notification outbox: durable, idempotent, retried, and safe across a killed worker."""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from shell_app.db import make_engine, make_session_factory
from shell_app.demo_data import PRESETS, generate
from shell_app.migrations import upgrade
from shell_app.models import Notification, StaffAlert
from shell_app.outbox.enqueue import NotificationRequest, enqueue
from shell_app.outbox.transports import SmsLogTransport, SmtpTransport, message_id, read_sms_log
from shell_app.outbox.worker import MAX_ATTEMPTS, claim_due, run_once

from .support.processes import free_port
from .support.smtp import SmtpServer

ANCHOR = dt.date(2026, 11, 1)


@pytest.fixture
def sessions(fresh_database_url, backend):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, seed=3, scale=PRESETS["tiny"], anchor=ANCHOR)
    factory = make_session_factory(engine)
    factory.url = url
    yield factory
    engine.dispose()


def request(key: str, channel: str = "email") -> NotificationRequest:
    return NotificationRequest(key, channel, "customer", 1, "Ticket received", "We have your ticket.", "ticketing")


def transports(smtp_port: int, tmp_path: Path) -> dict:
    return {"email": SmtpTransport("127.0.0.1", smtp_port, "test@sysops", timeout=5),
            "sms": SmsLogTransport(tmp_path / "sms.log")}


def test_same_key_enqueued_twice_is_sent_once(sessions, tmp_path):
    with sessions() as session:
        first, created = enqueue(session, request("key-once-0001"), dt.datetime.now())
        second, created_again = enqueue(session, request("key-once-0001"), dt.datetime.now())
    assert (created, created_again) == (True, False) and first.id == second.id
    with SmtpServer() as smtp:
        assert run_once(sessions, transports(smtp.port, tmp_path)) == 1
        assert run_once(sessions, transports(smtp.port, tmp_path)) == 0
        assert len(smtp.wait_for(1)) == 1
        assert smtp.messages[0]["Message-ID"] == message_id("key-once-0001", "test@sysops")
    with sessions() as session:
        assert session.get(Notification, first.id).status == "sent"


# RFC 5322 msg-id with dot-atom parts: what receivers parse and compare.
ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
MSG_ID = re.compile(rf"<{ATEXT}(\.{ATEXT})*@{ATEXT}(\.{ATEXT})*>")


def test_message_ids_of_real_keys_are_valid_and_stable_as_read_back_from_the_sink(sessions, tmp_path):
    """The ticketing's keys contain colons ("received:42"); the id must survive them whole."""
    keys = ["received:100000042", "offer:100000042:7", "survey:100000042", "received.100000042", "offer:9:1"]
    with sessions() as session:
        for key in keys:
            enqueue(session, request(key), dt.datetime.now())
    with SmtpServer() as smtp:
        assert run_once(sessions, transports(smtp.port, tmp_path)) == len(keys)
        received = smtp.wait_for(len(keys))
    ids = {message["Message-ID"] for message in received}
    assert len(ids) == len(keys)  # "received:42" and "received.42" stay apart
    assert all(MSG_ID.fullmatch(value) for value in ids), ids
    assert ids == {message_id(key, "test@sysops") for key in keys}  # the same id at every redelivery
    assert any(value.startswith("<offer.100000042.7.") for value in ids)  # still readable


def test_a_transport_failure_is_retried_with_backoff_until_delivered(sessions, tmp_path):
    port = free_port()  # nothing listens here yet
    with sessions() as session:
        row, _ = enqueue(session, request("key-retry-0001"), dt.datetime.now())
    run_once(sessions, transports(port, tmp_path))
    with sessions() as session:
        failed_once = session.get(Notification, row.id)
        assert (failed_once.status, failed_once.attempts) == ("queued", 1)
        assert failed_once.last_error and failed_once.next_attempt_at > dt.datetime.now()
    assert run_once(sessions, transports(port, tmp_path)) == 0  # not due yet: back-off
    later = lambda: dt.datetime.now() + dt.timedelta(minutes=10)  # noqa: E731
    with SmtpServer(port=port) as smtp:
        assert run_once(sessions, transports(port, tmp_path), clock=later) == 1
        assert len(smtp.wait_for(1)) == 1
    with sessions() as session:
        delivered = session.get(Notification, row.id)
        assert (delivered.status, delivered.attempts, delivered.last_error) == ("sent", 2, None)


def test_after_the_last_attempt_the_message_fails_visibly_and_staff_are_alerted(sessions, tmp_path):
    port = free_port()
    with sessions() as session:
        row, _ = enqueue(session, request("key-fail-00001"), dt.datetime.now())
    for attempt in range(MAX_ATTEMPTS):
        at = dt.datetime.now() + dt.timedelta(hours=attempt + 1)
        run_once(sessions, transports(port, tmp_path), clock=lambda at=at: at)
    with sessions() as session:
        assert session.get(Notification, row.id).status == "failed"
        alerts = session.scalars(select(StaffAlert).where(StaffAlert.kind == "notification-failed")).all()
        assert any("key-fail-00001" in a.message for a in alerts)


def test_sms_goes_to_the_local_gateway_log(sessions, tmp_path):
    with sessions() as session:
        enqueue(session, request("key-sms-000001", channel="sms"), dt.datetime.now())
    run_once(sessions, transports(free_port(), tmp_path))
    logged = read_sms_log(tmp_path / "sms.log")
    assert logged[0]["key"] == "key-sms-000001" and logged[0]["text"] == "We have your ticket."


def test_two_workers_never_claim_the_same_message(sessions):
    with sessions() as session:
        for n in range(10):
            enqueue(session, request(f"key-claim-{n:04d}"), dt.datetime.now())
    now = dt.datetime.now()
    with sessions() as first, sessions() as second:
        a = claim_due(first, now, batch=6)
        b = claim_due(second, now, batch=10)
    assert not set(a) & set(b) and len(a) + len(b) == 10


def test_a_worker_killed_mid_send_loses_nothing(sessions, tmp_path):
    """kill -9 the real worker process while it is inside the SMTP transaction; a restart delivers."""
    with sessions() as session:
        row, _ = enqueue(session, request("key-kill-00001"), dt.datetime.now())
    with SmtpServer(stall_first=True) as smtp:
        env = {**os.environ, "DATABASE_URL": sessions.url, "SYSOPS_DATA_DIR": str(tmp_path),
               "SYSOPS_SMTP_HOST": "127.0.0.1", "SYSOPS_SMTP_PORT": str(smtp.port),
               "SYSOPS_OUTBOX_LEASE_SECONDS": "1", "SYSOPS_SESSION_KEY": "test"}
        command = [sys.executable, "-m", "sysops.cli", "outbox-worker"]
        worker = subprocess.Popen(command, env=env)
        try:
            assert smtp.handler.stalled.wait(20), "worker never reached the SMTP server"
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            with sessions() as session:
                assert session.get(Notification, row.id).status == "queued"  # still there, not lost
            worker = subprocess.Popen(command, env=env)
            assert len(smtp.wait_for(1, timeout=20)) == 1
            assert smtp.messages[0]["Message-ID"] == message_id("key-kill-00001", "no-reply@sysops-squad.example")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with sessions() as session:
            if session.get(Notification, row.id).status == "sent":
                break
        time.sleep(0.1)
    with sessions() as session:
        assert session.get(Notification, row.id).status == "sent"
