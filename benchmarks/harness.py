"""Shared measuring helpers: concurrent loops, percentiles, a throwaway seeded monolith."""
from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator

from foundation import keys
from foundation.tokens import Principal, TokenSigner

# The benchmarks' own key set (a key pair per service), made once per run.
KEYS_DIR = Path(tempfile.mkdtemp(prefix="sysops-bench-keys-"))
keys.ensure_all(KEYS_DIR)


def mint(principal: Principal, audience: str, ttl: int = 300) -> str:
    """A token as its rightful issuer mints it: the monolith for users, each service for itself."""
    issuer = principal.subject if principal.is_service else "shell"
    return TokenSigner.for_service(KEYS_DIR, issuer).mint(principal, audience, ttl)


@dataclass
class Figures:
    name: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def row(self) -> str:
        return (f"{self.name:<44} {self.per_second:>9.0f}/s  p50 {self.percentile(50):>7.2f} ms  "
                f"p99 {self.percentile(99):>7.2f} ms  (n={self.count})")


def run_concurrently(name: str, make_worker: Callable[[int], Callable[[int], None]], threads: int,
                     per_thread: int, around: Callable[[], ContextManager[Any]] = nullcontext) -> Figures:
    """Each thread gets its own worker (own session/connection) and calls it per_thread times; `around`
    is entered once the workers are made (signed in) and left when they are done."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    workers = [make_worker(i) for i in range(threads)]
    with around():
        return _timed(name, workers, latencies, threads, per_thread)


def _timed(name: str, workers: list[Callable[[int], None]], latencies: list[list[float]], threads: int,
           per_thread: int) -> Figures:
    barrier = threading.Barrier(threads + 1)

    def loop(index: int) -> None:
        work, own = workers[index], latencies[index]
        barrier.wait()
        for n in range(per_thread):
            started = time.perf_counter()
            work(n)
            own.append((time.perf_counter() - started) * 1000)

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return Figures(name, threads * per_thread, elapsed, [x for own in latencies for x in own])


def seeded_sqlite(preset: str, seed: int = 42) -> str:
    from shell_app.db import make_engine
    from shell_app.demo_data import PRESETS, generate
    from shell_app.migrations import upgrade

    path = Path(tempfile.mkdtemp(prefix="sysops-bench-")) / "legacy.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, seed=seed, scale=PRESETS[preset], anchor=dt.date(2026, 11, 1))
    engine.dispose()
    return url


@contextmanager
def gunicorn_monolith(database_url: str, secret: str, workers: int = 2) -> Iterator[str]:
    import socket

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "SYSOPS_SESSION_KEY": secret, "SYSOPS_KEYS_DIR": str(KEYS_DIR)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                               str(workers), "--threads", "4", "--no-control-socket", "sysops.wsgi:monolith()"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(15)


def median(values: list[float]) -> float:
    return statistics.median(values)
