"""The process supervisor behind `make run`: restarts what dies, stops everything it started."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

import sysops.supervisor as supervisor_module
from sysops.procutil import descendants, free_port, wait_for_health
from sysops.supervisor import ProcessSpec, Supervisor

from .support.processes import alive

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_stop_ends_every_child_even_one_that_ignores_sigterm(monkeypatch):
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


def _watch_while(supervisor: Supervisor, action) -> None:
    """Run the supervisor's watch loop (it needs the main thread for its signal handlers) while
    `action(supervisor)` runs beside it, then stop it."""
    def run():
        try:
            action(supervisor)
        finally:
            supervisor._stopping = True

    actor = threading.Thread(target=run)
    actor.start()
    try:
        supervisor.watch()
    finally:
        actor.join()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _next_pid(supervisor: Supervisor, name: str, old: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc = supervisor.procs.get(name)
        if proc is not None and proc.pid != old and proc.poll() is None:
            return proc.pid
        time.sleep(0.02)
    raise AssertionError(f"{name} was not restarted")


def test_twenty_kills_spread_over_time_leave_the_system_running(monkeypatch):
    """Deaths further apart than the crash-loop window never add up to a stop (the budget slides)."""
    monkeypatch.setattr(supervisor_module, "RESTART_WINDOW", 3.0)  # 5 deaths within 3 s = a crash loop
    messages: list[str] = []
    supervisor = Supervisor([ProcessSpec("victim", SLEEPER), ProcessSpec("bystander", SLEEPER)], log=messages.append)
    supervisor.start()
    bystander = supervisor.procs["bystander"].pid
    kills: list[int] = []

    def kill_twenty_times(sup):
        pid = sup.procs["victim"].pid
        for _ in range(20):
            os.kill(pid, signal.SIGKILL)
            kills.append(pid)
            pid = _next_pid(sup, "victim", pid)
            time.sleep(0.8)  # at most four deaths in any 3 s
        assert sup.procs["victim"].poll() is None

    _watch_while(supervisor, kill_twenty_times)
    assert len(kills) == 20 and len(set(kills)) == 20
    assert not [m for m in messages if "crash loop" in m], messages
    assert sum("victim exited (killed by SIGKILL); restart #" in m for m in messages) == 20
    assert not alive(bystander)  # stopped at the end with the rest, never restarted before
    assert supervisor.restarts == {"victim": 20}


def test_a_crash_loop_stops_everything_without_blocking_the_watch():
    crasher = [sys.executable, "-c", "raise SystemExit(3)"]
    messages: list[str] = []
    supervisor = Supervisor([ProcessSpec("steady", SLEEPER), ProcessSpec("crasher", crasher)], log=messages.append)
    supervisor.start()
    steady = supervisor.procs["steady"].pid
    deadline = time.monotonic() + 30
    scheduled = 0
    while not supervisor._stopping and time.monotonic() < deadline:
        supervisor.check(time.monotonic())
        if "crasher" in supervisor._due:  # its back-off is a due time; the loop goes on watching
            scheduled += 1
            assert supervisor.procs["steady"].poll() is None
        time.sleep(0.05)
    supervisor.stop()
    assert scheduled > 0
    assert supervisor._stopping and any("crasher died 6 times" in m and "crash loop" in m for m in messages), messages
    assert "exit code 3" in messages[-1]
    assert not alive(steady)


def test_killing_a_gunicorn_master_leaves_no_orphan_and_it_is_back_after_one_restart():
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--no-control-socket", "tests.support.tiny_wsgi:app"]
    messages: list[str] = []
    supervisor = Supervisor([ProcessSpec("web", argv, health_url=f"http://127.0.0.1:{port}/")], log=messages.append)
    supervisor.start()
    master = supervisor.procs["web"].pid
    deadline = time.monotonic() + 20
    workers = descendants(master)
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = descendants(master)
    assert len(workers) == 2
    orphans_seen: list[int] = []

    def kill_the_master(sup):
        os.kill(master, signal.SIGKILL)
        new_master = _next_pid(sup, "web", master)
        orphans_seen.extend(pid for pid in workers if alive(pid))
        wait_for_health(f"http://127.0.0.1:{port}/", timeout=30)  # served by the new master's workers
        assert sup.procs["web"].pid == new_master and sup.procs["web"].poll() is None

    _watch_while(supervisor, kill_the_master)
    assert orphans_seen == []  # the old workers were gone before the new master started
    assert supervisor.restarts == {"web": 1}, messages


def test_a_process_that_is_visibly_loading_gets_the_time_it_needs():
    """The start time-out counts only time in which a process neither answers nor makes progress (a
    large graph loads for longer than any fixed time-out)."""
    ready_at = time.monotonic() + 1.5
    spec = ProcessSpec("loader", SLEEPER, ready=lambda: time.monotonic() >= ready_at,
                       starting=lambda: time.monotonic() < ready_at)
    supervisor = Supervisor([spec], log=lambda _m: None)
    try:
        supervisor.start(health_timeout=0.5)  # would give up after 0.5 s without the progress signal
        assert supervisor.procs["loader"].poll() is None
    finally:
        supervisor.stop()
    stuck = Supervisor([ProcessSpec("stuck", SLEEPER, ready=lambda: False, starting=lambda: False)],
                       log=lambda _m: None)
    with pytest.raises(RuntimeError, match="did not become ready"):
        stuck.start(health_timeout=0.5)


def test_a_health_port_answered_by_something_else_is_not_ready_and_the_start_says_so():
    """One CI run had the mail sink on a service's port: the probe read an SMTP greeting. That is a
    process not ready (a clear refusal to start), not a traceback."""
    import socket

    banner = socket.socket()
    banner.bind(("127.0.0.1", 0))
    banner.listen()
    port = banner.getsockname()[1]

    def greet():
        while True:
            try:
                connection, _ = banner.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"220 localhost Python SMTP 1.4.6\r\n")

    threading.Thread(target=greet, daemon=True).start()
    supervisor = Supervisor([ProcessSpec("web", SLEEPER, health_url=f"http://127.0.0.1:{port}/healthz")],
                            log=lambda _m: None)
    try:
        with pytest.raises(RuntimeError, match="web did not become ready"):
            supervisor.start(health_timeout=1.5)
    finally:
        banner.close()
    assert not supervisor.procs or supervisor.procs["web"].poll() is not None  # stopped after the refusal
