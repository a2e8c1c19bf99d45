"""Start the system's processes, watch them, and stop every one of them on Ctrl-C.

Each child runs in its own session so a terminal's Ctrl-C reaches only the supervisor,
which then stops children in reverse start order (SIGTERM, then SIGKILL after a grace
period). On Linux each child also gets PR_SET_PDEATHSIG, so even a supervisor killed
with SIGKILL leaves nothing behind.

A child that dies unexpectedly is restarted: first its whole process group is killed (a gunicorn
master's orphaned workers would otherwise keep its port), then it is started again after a back-off
that grows with its recent deaths, while the others go on being watched. Only a crash loop stops
everything: more than MAX_RESTARTS deaths of one process within RESTART_WINDOW seconds. Deaths
further apart are the normal life of a long-running system and never add up to a stop.
"""
from __future__ import annotations

import ctypes
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

GRACE_SECONDS = 10.0
MAX_RESTARTS = 5  # deaths of one process within RESTART_WINDOW before the supervisor gives up
RESTART_WINDOW = 60.0
MAX_BACKOFF = 5.0


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    health_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    ready: Callable[[], bool] | None = None  # readiness probe for processes without an HTTP health URL
    withhold: tuple[str, ...] = ()  # variables of the supervisor's environment this process must not get
    # True while a process that is not ready yet is visibly getting there (a graph loading its data):
    # the start time-out then counts from the last moment it was not.
    starting: Callable[[], bool] | None = None


def child_env(spec: ProcessSpec, parent: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a child starts with: the supervisor's, less what it must not hold, plus its own."""
    parent = dict(os.environ if parent is None else parent)
    return {**{k: v for k, v in parent.items() if k not in spec.withhold}, **spec.env}


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Supervisor:
    def __init__(self, specs: list[ProcessSpec], log=print):
        self.specs = specs
        self.log = log
        self.procs: dict[str, subprocess.Popen] = {}
        self.deaths: dict[str, deque[float]] = {}  # recent deaths per process (monotonic times)
        self.restarts: dict[str, int] = {}  # restarts since start, for the log
        self._due: dict[str, float] = {}  # processes waiting out their back-off: when to start them
        self._stopping = False

    def _spawn(self, spec: ProcessSpec) -> None:
        self.procs[spec.name] = subprocess.Popen(
            spec.argv, env=child_env(spec), start_new_session=True, preexec_fn=_die_with_parent,
        )

    def start(self, health_timeout: float = 60.0) -> None:
        for spec in self.specs:
            self._spawn(spec)
            if (spec.health_url or spec.ready) and not self._wait_healthy(spec, health_timeout):
                self.stop()
                raise RuntimeError(f"{spec.name} did not become ready")

    def _wait_healthy(self, spec: ProcessSpec, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[spec.name].poll() is not None:
                return False
            if spec.starting is not None and spec.starting():
                deadline = time.monotonic() + timeout
            if spec.ready is not None:
                if spec.ready():
                    return True
                time.sleep(0.1)
                continue
            try:
                with urllib.request.urlopen(spec.health_url, timeout=2) as response:  # noqa: S310 (loopback URL we built)
                    if response.status == 200:
                        return True
            except (OSError, http.client.HTTPException):  # not answering, or something else answers its port
                pass
            time.sleep(0.2)
        return False

    def watch(self) -> None:
        """Block until a stop signal; restart children that die on their own."""
        def on_signal(signum, _frame):
            self._stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not self._stopping:
            self.check(time.monotonic())
            time.sleep(0.2)
        self.stop()

    def check(self, now: float) -> None:
        """One look at every child: notice deaths, start those whose back-off is over. Never sleeps."""
        for spec in self.specs:
            if self._stopping:
                return
            due = self._due.get(spec.name)
            if due is not None:
                if now >= due:
                    del self._due[spec.name]
                    self._spawn(spec)
                continue
            proc = self.procs.get(spec.name)
            if proc is None or proc.poll() is None:
                continue
            self._bury(proc)
            recent = self.deaths.setdefault(spec.name, deque())
            recent.append(now)
            while recent and recent[0] < now - RESTART_WINDOW:
                recent.popleft()
            if len(recent) > MAX_RESTARTS:
                self.log(f"{spec.name} died {len(recent)} times within {RESTART_WINDOW:.0f} s (last exit "
                         f"{_exit(proc.returncode)}); a crash loop: stopping everything.")
                self._stopping = True
                return
            delay = min(MAX_BACKOFF, 0.25 * 2 ** (len(recent) - 1))
            self.restarts[spec.name] = self.restarts.get(spec.name, 0) + 1
            self.log(f"{spec.name} exited ({_exit(proc.returncode)}); restart #{self.restarts[spec.name]} in "
                     f"{delay:.2f} s ({len(recent)} of {MAX_RESTARTS} allowed within {RESTART_WINDOW:.0f} s).")
            self._due[spec.name] = now + delay

    @staticmethod
    def _bury(proc: subprocess.Popen) -> None:
        """Kill what is left of a dead child's process group (it led its own session), so no orphan
        keeps a port or a lock the restarted process needs."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        for spec in reversed(self.specs):
            proc = self.procs.get(spec.name)
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + GRACE_SECONDS
        for spec in reversed(self.specs):
            proc = self.procs.get(spec.name)
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.procs.clear()


def _exit(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
