"""The tests' processes are taken as started only when the gunicorn they started listens: a port that
another server holds answers /healthz too, yet the start failed to bind. And the command line every
gunicorn of ours is started with (sysops.procutil.gunicorn) serves and writes its access log."""
from __future__ import annotations

import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from sysops import procutil
from tests.support.processes import free_port, terminate, wait_for_health, wait_listening
from tests.support.waiting import wait_until

APP = "tests.support.connection_recorder:fragment()"


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


def gunicorn(port: int, log) -> subprocess.Popen:
    """Started as every gunicorn of ours is (sysops.procutil.gunicorn)."""
    return subprocess.Popen(procutil.gunicorn(APP, "127.0.0.1", port, 1, access_log=None),
                            stdout=subprocess.DEVNULL, stderr=log)


def test_a_start_is_ready_when_its_own_gunicorn_listens_even_after_an_earlier_start_on_that_port(tmp_path):
    port, log_path = free_port(), tmp_path / "app.log"
    for _ in range(2):  # the same port again, as a restart after a kill: the earlier start's line does not count
        offset = log_path.stat().st_size if log_path.exists() else 0
        with open(log_path, "ab") as log:
            process = gunicorn(port, log)
        try:
            wait_listening(process, log_path, offset, port, timeout=60)
            assert process.poll() is None
            wait_for_health(f"http://127.0.0.1:{port}/healthz", timeout=60)
        finally:
            terminate(process)


def test_a_start_whose_port_another_server_holds_fails_though_that_port_answers_healthz(tmp_path):
    other = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    port, log_path = other.server_address[1], tmp_path / "app.log"
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", timeout=10)  # the probe alone is fooled
        with open(log_path, "ab") as log:
            process = gunicorn(port, log)
        try:
            with pytest.raises(RuntimeError, match=f"before listening on {port}"):
                wait_listening(process, log_path, 0, port, timeout=60)
        finally:
            terminate(process)
    finally:
        other.shutdown()
        other.server_close()


def answering_with_request_ids():
    """An app that answers as ours do, with the request's id (foundation.observability): the factory of
    the access-log test's gunicorn."""
    from flask import Flask

    from foundation import observability

    app = Flask(__name__)
    observability.install(app, "access-log-test", public=lambda view: view, token=None)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    app.add_url_rule("/customers/<int:customer_id>/tickets", "tickets", lambda customer_id: f"tickets of {customer_id}")
    return app


def test_our_gunicorn_command_line_serves_and_logs_each_request_with_its_time_and_request_id(tmp_path):
    port, access = free_port(), tmp_path / "access.log"
    with open(tmp_path / "app.log", "ab") as log:
        process = subprocess.Popen(procutil.gunicorn(f"{__name__}:answering_with_request_ids()", "127.0.0.1", port, 1,
                                                     access_log=str(access)), stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", timeout=60)
        requests.get(f"http://127.0.0.1:{port}/customers/7/tickets", headers={"X-Request-ID": "req-0007-abc"}, timeout=10)
        wait_until(lambda: "/customers/7/tickets" in (access.read_text() if access.exists() else ""),
                   "the request's access-log line", timeout=30)
        line, = [line for line in access.read_text().splitlines() if "/customers/7/tickets" in line]
        assert re.search(r'"GET /customers/7/tickets HTTP/1.1" 200 \d+ \d+ms rid=req-0007-abc$', line), line
    finally:
        terminate(process)


def test_ports_picked_together_are_all_different():
    from tests.support.processes import free_ports

    assert len(set(free_ports(60))) == 60
