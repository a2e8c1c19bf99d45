"""The process supervisor behind `make run`: restarts what dies, stops everything it started."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

from sysops.supervisor import ProcessSpec, Supervisor

from .support.processes import alive

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_stop_ends_every_child_even_one_that_ignores_sigterm(monkeypatch):
    import sysops.supervisor as supervisor_module

    monkeypatch.setattr(supervisor_module, "GRACE_SECONDS", 1.0)
    stubborn = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"]
    supervisor = Supervisor([ProcessSpec("polite", SLEEPER), ProcessSpec("stubborn", stubborn)], log=lambda _m: None)
    supervisor.start()
    pids = [p.pid for p in supervisor.procs.values()]
    time.sleep(0.3)
    supervisor.stop()
    assert not [pid for pid in pids if alive(pid)]


def test_a_child_that_dies_is_restarted_and_watch_stops_on_signal():
    supervisor = Supervisor([ProcessSpec("worker", SLEEPER)], log=lambda _m: None)
    supervisor.start()
    first = supervisor.procs["worker"].pid
    os.kill(first, signal.SIGKILL)

    def stop_soon():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            proc = supervisor.procs.get("worker")
            if proc is not None and proc.pid != first:
                break
            time.sleep(0.05)
        supervisor._stopping = True

    stopper = threading.Thread(target=stop_soon)
    stopper.start()
    restarted: list[int] = []
    original_spawn = supervisor._spawn

    def spy(spec):
        original_spawn(spec)
        restarted.append(supervisor.procs[spec.name].pid)

    supervisor._spawn = spy
    supervisor.watch()
    stopper.join()
    assert restarted and restarted[0] != first
    assert not alive(restarted[0])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
