"""nginx asks the shell before every fragment request (its auth subrequest): it must reuse its
connections to the shell for that, as it does for pages, instead of opening (and the shell accepting
and closing) one per request. Real nginx with the rendered routing, in front of gunicorn serving two
small apps that say which client connection each request came on."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sysops.procutil import free_port, wait_for_health
from tests.support.nginx_front import NGINX, NginxFront
from tests.support.processes import terminate


def _gunicorn(factory: str) -> tuple[subprocess.Popen, str]:
    address = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", address, "--workers", "1", "--threads", "4",
                                "--no-control-socket", f"tests.support.connection_recorder:{factory}()"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, address


@pytest.fixture
def front(tmp_path: Path):
    if not NGINX.exists():
        pytest.fail("nginx is not installed: `make test` installs it (scripts/install-test-prereqs.sh)")
    (shell, shell_at), (fragment, fragment_at) = _gunicorn("shell"), _gunicorn("fragment")
    nginx = NginxFront(tmp_path, [shell_at], {"ticketing": [fragment_at]})
    try:
        wait_for_health(f"http://{shell_at}/healthz")
        wait_for_health(f"http://{fragment_at}/healthz")
        nginx.start()
        yield nginx.base, shell_at
    finally:
        nginx.stop()
        terminate(shell)
        terminate(fragment)


def test_the_auth_subrequests_reuse_kept_alive_connections_to_the_shell(front):
    base, shell_at = front
    http = requests.Session()
    for _ in range(20):
        answer = http.get(f"{base}/fragments/ticketing/customers/7/tickets", headers={"HX-Request": "true"},
                          timeout=10)
        assert answer.status_code == 200 and answer.text == "tickets of 7 for Bearer token-for-ticketing"
    seen = requests.get(f"http://{shell_at}/connections", timeout=10).json()["seen"]
    checks = [port for path, port in seen if path == "/fragments-auth/ticketing"]
    assert len(checks) == 20
    # One nginx worker asking one after another: one connection, a few more only if idle ones were dropped
    # (nginx drops them after 1 s idle, before gunicorn would). Without HTTP/1.1 to the shell: 20.
    assert len(set(checks)) <= 5, f"{len(set(checks))} connections for 20 checks"
