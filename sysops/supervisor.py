"""Start the system's processes, watch them, and stop every one of them on Ctrl-C.

Each child runs in its own session so a terminal's Ctrl-C reaches only the supervisor,
which then stops children in reverse start order (SIGTERM, then SIGKILL after a grace
period). On Linux each child also gets PR_SET_PDEATHSIG, so even a supervisor killed
with SIGKILL leaves nothing behind. A child that dies unexpectedly is restarted with
back-off, up to a limit, and then the whole system stops rather than run half-alive.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Callable

GRACE_SECONDS = 10.0
MAX_RESTARTS = 5


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    health_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    ready: Callable[[], bool] | None = None  # readiness probe for processes without an HTTP health URL
    withhold: tuple[str, ...] = ()  # variables of the supervisor's environment this process must not get


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
        self.restarts: dict[str, int] = {}
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
            if spec.ready is not None:
                if spec.ready():
                    return True
                time.sleep(0.1)
                continue
            try:
                with urllib.request.urlopen(spec.health_url, timeout=2) as response:  # noqa: S310 (loopback URL we built)
                    if response.status == 200:
                        return True
            except OSError:
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
            for spec in self.specs:
                proc = self.procs.get(spec.name)
                if proc is not None and proc.poll() is not None and not self._stopping:
                    count = self.restarts.get(spec.name, 0) + 1
                    if count > MAX_RESTARTS:
                        self.log(f"{spec.name} keeps dying (exit {proc.returncode}); stopping everything.")
                        self._stopping = True
                        break
                    self.restarts[spec.name] = count
                    self.log(f"{spec.name} exited with {proc.returncode}; restart {count}/{MAX_RESTARTS}.")
                    time.sleep(min(2 ** count * 0.25, 5))
                    self._spawn(spec)
            time.sleep(0.3)
        self.stop()

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


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
