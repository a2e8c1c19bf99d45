"""The newcomer's path: the real `sysops run` command (what `make run` runs), end to end."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests

from .support.processes import alive, descendants, free_ports, wait_for_health


@dataclass
class Run:
    proc: subprocess.Popen
    base: str
    env: dict[str, str]
    lines: list[str] = field(default_factory=list)
    output: str = ""


@contextmanager
def sysops_run(tmp_path: Path, started_within_s: float, **env: str) -> Iterator[Run]:
    """The real `sysops run --preset tiny` on ports of its own and a fresh data folder, until it says
    Ctrl-C stops it; stopped with Ctrl-C (SIGINT) after the block, its whole output in `output`."""
    names = ("SMTP", "TICKETING", "BRIDGE", "EXPERTS", "REPORTS", "KNOWLEDGE", "NOTIFICATIONS", "CUSTOMERS", "IDENTITY")
    port, *ports = free_ports(1 + len(names))  # all different (one CI run had the mail sink on the reports' port)
    env = {**os.environ, "SYSOPS_DATA_DIR": str(tmp_path / "var"), "SYSOPS_SHELL_PORT": str(port), **env,
           **{f"SYSOPS_{name}_PORT": str(each) for name, each in zip(names, ports)}}
    for name in ("SYSOPS_FRAGMENTS", "SYSOPS_BRIDGE_URL", "SYSOPS_TICKETING_URL", "SYSOPS_CUSTOMERS_URL",
                 "SYSOPS_NOTIFICATIONS_URL", "DATABASE_URL", "SYSOPS_SMTP_HOST", "SYSOPS_SESSION_KEY",
                 "SYSOPS_KEYS_DIR", "SYSOPS_TOKEN_EXCHANGE_URL"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "sysops.cli", "run", "--preset", "tiny"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    run = Run(proc, f"http://127.0.0.1:{port}", env)
    reader = threading.Thread(target=lambda: run.lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + started_within_s
        while not any("Press Ctrl-C" in line for line in run.lines) and time.monotonic() < deadline:
            assert proc.poll() is None, "".join(run.lines)
            time.sleep(0.1)
        yield run
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=10)
        proc.stdout.close()
        run.output = "".join(run.lines)


def test_run_command_starts_seeds_serves_and_stops_leaving_nothing_behind(tmp_path):
    with sysops_run(tmp_path, 120, SYSOPS_FRONT_DOOR="monolith") as run:
        proc, base = run.proc, run.base
        health = wait_for_health(f"{base}/healthz")
        assert health["status"] == "ok" and health["database"] == "ok"
        assert (tmp_path / "var" / "legacy.db").exists()
        deadline = time.monotonic() + 15
        children = descendants(proc.pid)
        while len(children) < 5 and time.monotonic() < deadline:  # the worker starts after the shell is healthy
            time.sleep(0.1)
            children = descendants(proc.pid)
        assert len(children) >= 5  # gunicorn master + workers, the outbox worker, the local SMTP sink

        def signed_in(username: str, next_url: str = "/") -> tuple[requests.Session, requests.Response]:
            browser = requests.Session()
            login_page = browser.get(f"{base}/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
            return browser, browser.post(f"{base}/login", data={"username": username, "password": "sysops-demo",
                                                                "csrf_token": token, "next": next_url})

        browser, landed = signed_in("callcentre", "/customers/1")
        assert landed.status_code == 200 and landed.url == f"{base}/customers/1"
        assert "Contracts" in landed.text and 'data-fragment-slot="ticketing/customer-tickets"' in landed.text
        panel = browser.get(f"{base}/fragments/ticketing/customers/1/tickets", headers={"HX-Request": "true"})
        assert panel.status_code == 200 and 'data-fragment="ticketing"' in panel.text  # served by its own process
        # Each fragment process runs with only its own key folder and the public keys: the shell's user
        # token admits the user, and experts call ticketing with it (as the expert), reports the bridge.
        expert, _ = signed_in("expert1")
        work = expert.get(f"{base}/fragments/experts/", headers={"HX-Request": "true"})
        assert work.status_code == 200 and 'data-fragment="experts"' in work.text, work.text[:500]
        manager, _ = signed_in("manager")
        report = manager.get(f"{base}/fragments/reports/", headers={"HX-Request": "true"})
        assert report.status_code == 200 and 'data-fragment="reports"' in report.text, report.text[:500]
    assert proc.returncode == 0, run.output
    assert "Demo logins" in run.output and "callcentre" in run.output and base in run.output
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)], "processes left behind after Ctrl-C"


def test_run_without_the_monolith_finishes_the_migration_first_then_runs_none_of_it(tmp_path):
    """`make run MONOLITH=retired` on a fresh clone: demo data generated, every part moved and checked with
    the monolith running, the monolith retired, then everything started again without it."""
    with sysops_run(tmp_path, 300, SYSOPS_MONOLITH="retired", SYSOPS_FRONT_DOOR="") as run:
        proc, base, env = run.proc, run.base, run.env
        assert wait_for_health(f"{base}/healthz")["app"] == "shell"
        children = descendants(proc.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children
                    if alive(pid)]
        assert not [c for c in commands if "sysops.wsgi:monolith()" in c or "outbox-worker" in c], commands
        fronts = [pid for pid in children if alive(pid) and b"create_front" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        told = {line.split(b"=", 1)[0] for pid in fronts for line in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")}
        assert fronts and b"SYSOPS_OWN_KEYS" in told and not told & {b"SYSOPS_KEYS_DIR", b"SYSOPS_SESSION_KEY"}
        with pytest.raises(requests.ConnectionError):  # no bridge
            requests.get(f"http://127.0.0.1:{env['SYSOPS_BRIDGE_PORT']}/healthz", timeout=5)
        browser = requests.Session()
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{base}/login").text).group(1)
        landed = browser.post(f"{base}/login", data={"username": "callcentre", "password": "sysops-demo",
                                                     "csrf_token": token, "next": "/customers/1"})
        assert landed.status_code == 200 and landed.url == f"{base}/customers/1", landed.text[:300]
        assert 'data-fragment-slot="ticketing/customer-tickets"' in landed.text
        assert "data-fragment-fallback" not in landed.text
    output = run.output
    assert proc.returncode == 0, output
    assert "Every part moved and reconciled: the monolith is retired." in output
    assert "the monolith is retired: its processes and its database are not running" in output
    assert "Demo logins" in output and "Bridge API" not in output.split("is running")[-1]
