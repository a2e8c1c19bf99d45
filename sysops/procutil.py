"""Small process helpers shared by the local system runner, the tests and the benchmarks."""
from __future__ import annotations

import os
import socket
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import requests

# gunicorn's workers tell the arbiter they are alive by touching a file on each turn of their loop, each
# request or so; on a disk's file system that is a metadata write each time, in memory it is next to
# nothing (gunicorn's own advice for such hosts).
MEMORY_FS = Path("/dev/shm")


# Each request's line: who, what, status, size, time, and the request id the app answered with
# (foundation.request_ids), which ties it to the app's own log lines.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


def gunicorn(app_factory: str, host: str, port: int, workers: int, threads: int = 1, *,
             access_log: str | None = "-", graceful_timeout_s: int | None = 5) -> list[str]:
    """The command line of every gunicorn of ours: the launcher's, the test systems' and the tests' served
    monolith. `access_log`: a file, "-" for standard output, None for none; `graceful_timeout_s`: how
    long a stopping worker may finish its requests (None: gunicorn's own 30 s)."""
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--threads", str(threads), "--no-control-socket"]
    if MEMORY_FS.is_dir():
        argv += ["--worker-tmp-dir", str(MEMORY_FS)]
    if graceful_timeout_s is not None:
        argv += ["--graceful-timeout", str(graceful_timeout_s)]
    if access_log is not None:
        argv += ["--access-logfile", access_log, "--access-logformat", ACCESS_LOG_FORMAT]
    return [*argv, app_factory]


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different ports free now: each held until all are picked (ports picked one after the other,
    each released at once, can repeat: the kernel may hand the same one out again)."""
    with ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


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
