"""Helpers for tests that start real processes."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_health(url: str, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return response.json()
        except requests.RequestException as exc:
            last_error = exc
        time.sleep(0.25)
    raise TimeoutError(f"{url} not healthy after {timeout}s: {last_error}")


def free_low_port(start: int = 20000, end: int = 32000) -> int:
    """A free port below 32768 (FalkorDB's BOLT_PORT argument does not accept higher ports)."""
    import random

    for candidate in random.sample(range(start, end), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise RuntimeError("no free port below 32768")


class ServedMonolith:
    """The monolith (with its bridge) under a real gunicorn on a free port; stop() ends it."""

    def __init__(self, database_url: str, secret: str, workers: int = 2):
        import subprocess
        import sys

        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "SYSOPS_SECRET_KEY": secret}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", "4", "--no-control-socket", "shell_app:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(f"{self.base}/healthz")
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)
