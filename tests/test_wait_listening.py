"""The tests' processes are taken as started only when the gunicorn they started listens: a port that
another server holds answers /healthz too, yet the start failed to bind."""
from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.support.processes import free_port, terminate, wait_for_health, wait_listening

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
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                             "--no-control-socket", APP], stdout=subprocess.DEVNULL, stderr=log)


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


def test_ports_picked_together_are_all_different():
    from tests.support.processes import free_ports

    assert len(set(free_ports(60))) == 60
