"""Helpers for tests that start real processes."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from sysops.procutil import alive, descendants, free_port, free_ports, gunicorn, wait_for_health  # noqa: F401 (re-exported)

from .keys import env as keys_env


def terminate(process, grace: float = 15.0) -> None:
    """SIGTERM, and SIGKILL if it has not ended within `grace` seconds."""
    import subprocess

    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait_listening(process, log: Path, offset: int, port: int, timeout: float = 90.0) -> None:
    """Until gunicorn `process` says in its `log` (written after byte `offset`: this start's lines) that it
    listens on `port`. Raises at once if it stops first (a port taken meanwhile: it fails to bind), and
    after `timeout`. A /healthz probe alone cannot tell: another process holding the port answers it."""
    listening = f"Listening at: http://127.0.0.1:{port} ".encode()
    deadline = time.monotonic() + timeout
    while True:
        with open(log, "rb") as lines:
            lines.seek(offset)
            if listening in lines.read():
                return
        if process.poll() is not None:
            raise RuntimeError(f"stopped (exit {process.returncode}) before listening on {port}: see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"not listening on {port} after {timeout}s: see {log}")
        time.sleep(0.1)


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

    def __init__(self, database_url: str, secret: str, workers: int = 2, env: dict[str, str] | None = None):
        import subprocess

        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "SYSOPS_SESSION_KEY": secret, **keys_env(), **(env or {})}
        self.process = subprocess.Popen(
            gunicorn("sysops.wsgi:monolith()", "127.0.0.1", port, workers, 4, access_log=None, graceful_timeout_s=None),
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

    def __enter__(self) -> str:
        return self.base

    def __exit__(self, *_exc) -> None:
        self.stop()


def seeded_monolith(directory, secret: str, seed: int) -> ServedMonolith:
    """A monolith of its own on fresh tiny demo data in `directory` (use it in a `with`)."""
    import datetime as dt

    from shell_app.demo_data import create_and_seed

    url = f"sqlite:///{directory / 'legacy.db'}"
    create_and_seed(url, seed=seed, anchor=dt.date(2026, 11, 1))
    return ServedMonolith(url, secret)
