"""The whole system as separate real processes (FalkorDB, the monolith with its bridge, the ticketing
fragment under gunicorn, its worker) for the tests and the benchmarks; each can be killed or restarted alone."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from fragments.notifications.adapters import legacy_outbox
from graph_store.server import FalkorServer
from sysops.graph_data import GraphData
from sysops.launcher import FRONT_DOOR_APPS, take_sign_in
from sysops.procutil import free_port, free_ports, gunicorn, wait_for_health

from .graph_ha import GraphCluster
from .keys import env as keys_env
from .processes import terminate, wait_listening

SECRET = "system-test-secret"
METRICS_TOKEN = "system-test-metrics-token"
MONOLITH = ("bridge", "shell", "legacy-shell", "shell-2")


MAIL_FROM = "Sysops Squad <no-reply@sysops-squad.example>"


def mailing_system(root: Path, smtp_port: int, *, offer_timeout_s: int = 600, **env: str):
    """A whole system (started, then stopped) whose email goes to the test's SMTP server, with any
    further settings; for a module fixture: `yield from mailing_system(...)`."""
    running = System(root, offer_timeout_s=offer_timeout_s)
    running.env.update(SYSOPS_SMTP_HOST="127.0.0.1", SYSOPS_SMTP_PORT=str(smtp_port), SYSOPS_MAIL_FROM=MAIL_FROM, **env)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def lift_open_ticket_limits(backend) -> None:
    """The system tests raise dozens of tickets for the same few demo customers, whose plans allow one
    to five open at a time: the limit is lifted here. It is enforced, and tested, where a test sets it
    (tests/ticketing/test_services.py, tests/graph/test_store_tickets.py)."""
    backend.write("MATCH (p:Plan) SET p.max_open_tickets = null")


class System:
    def __init__(self, root: Path, *, offer_timeout_s: int = 900, preset: str = "tiny", database_url: str | None = None,
                 graph_password: str | None = None, graph_ha: bool = False, sign_in: str = "identity",
                 front_door: str = "monolith", take_over: bool = True):
        """`database_url`: the legacy database (default a SQLite file); `graph_password`: reach the graph
        over TCP with that password, as production does (default its unix socket); `graph_ha`: a primary
        and a replica under three sentinels (tests/support/graph_ha.py), reached through the sentinels;
        `sign_in`: "identity" (as `make run` sets a new installation up, ADR 0032) or "legacy" (the
        monolith's own login, as before the cut-over); `front_door`: what answers at `shell`, the monolith's
        screens or the composition shell (SYSOPS_FRONT_DOOR, ADR 0033; the monolith then runs as the
        bridge's process alone); `take_over`: False for the monolith alone (no part taken over at start:
        the rehearsal switches them on itself)."""
        self.root = root
        self.take_over = take_over
        (self.shell_port, self.ticketing_port, self.bridge_port, self.experts_port, self.reports_port, self.knowledge_port,
         self.notifications_port, self.customers_port, self.identity_port) = free_ports(9)  # all different
        self.experts = f"http://127.0.0.1:{self.experts_port}"
        self.reports = f"http://127.0.0.1:{self.reports_port}"
        self.knowledge = f"http://127.0.0.1:{self.knowledge_port}"
        self.notifications = f"http://127.0.0.1:{self.notifications_port}"
        self.customers = f"http://127.0.0.1:{self.customers_port}"
        self.identity = f"http://127.0.0.1:{self.identity_port}"
        self.sign_in = sign_in
        self.front_door = front_door
        self.shell = f"http://127.0.0.1:{self.shell_port}"
        self.bridge = f"http://127.0.0.1:{self.bridge_port}"
        self.ticketing = f"http://127.0.0.1:{self.ticketing_port}"
        self.graph = FalkorServer(root / "graph", port=free_port() if graph_password else None,
                                  password=graph_password)
        graph_url = (f"falkordb://:{graph_password}@127.0.0.1:{self.graph.port}" if graph_password
                     else f"unix://{self.graph.socket_path}")
        self.graph_cluster = GraphCluster(root / "graph-ha", graph_password or "ha-password") if graph_ha else None
        if self.graph_cluster:
            graph_url = self.graph_cluster.url
        self.env = {**os.environ, "SYSOPS_DATA_DIR": str(root), "SYSOPS_SESSION_KEY": SECRET, **keys_env(),
                    "DATABASE_URL": database_url or f"sqlite:///{root / 'legacy.db'}",
                    "SYSOPS_GRAPH_URL": graph_url, "SYSOPS_BRIDGE_URL": self.bridge,
                    "SYSOPS_FRAGMENTS": (f"ticketing={self.ticketing},experts={self.experts},reports={self.reports},"
                                         f"knowledge={self.knowledge},notifications={self.notifications},"
                                         f"customers={self.customers},identity={self.identity}"),
                    "SYSOPS_CUSTOMERS_URL": self.customers,
                    "SYSOPS_NOTIFICATIONS_URL": self.notifications, "SYSOPS_NOTIFY_POLL_SECONDS": "0.1",
                    "SYSOPS_TICKETING_URL": self.ticketing, "SYSOPS_EXPERTS_PORT": str(self.experts_port),
                    "SYSOPS_SHELL_PORT": str(self.shell_port), "SYSOPS_IDENTITY_PORT": str(self.identity_port),
                    "SYSOPS_TICKETING_PORT": str(self.ticketing_port), "SYSOPS_BRIDGE_PORT": str(self.bridge_port),
                    "SYSOPS_OFFER_TIMEOUT_SECONDS": str(offer_timeout_s), "SYSOPS_WORKER_INTERVAL_SECONDS": "0.2",
                    "SYSOPS_METRICS_TOKEN": METRICS_TOKEN, "SYSOPS_FRONT_DOOR": front_door}
        self.processes: dict[str, subprocess.Popen] = {}
        self._binding: dict[str, tuple[int, int]] = {}  # web app -> (its port, its log's size when last started)
        self._prepare_legacy(preset)

    def _prepare_legacy(self, preset: str) -> None:
        from shell_app.demo_data import create_and_seed

        create_and_seed(self.env["DATABASE_URL"], seed=5, preset=preset, anchor=dt.date.today())
        # The system tests raise dozens of tickets for the same few customers, whose plans allow one to
        # five open at a time: the limit is lifted where the plans start, so their copies at the customers
        # service equal them (a reconciliation finds no hand-made difference). It is enforced, and tested,
        # where a test sets it (tests/ticketing/test_services.py, tests/graph/test_store_tickets.py).
        engine = create_engine(self.env["DATABASE_URL"])
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE plans SET max_open_tickets = 10000"))
        finally:
            engine.dispose()

    def start(self) -> "System":
        """Every process started and ready; if one fails, those already started are stopped again (no
        process outlives a fixture that never got its system)."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "System":
        if self.graph_cluster:
            self.graph_cluster.start()
        else:
            process = self.graph.spawn(stdout=subprocess.DEVNULL)
            self.graph.wait_ready(process)
            self.processes["graph"] = process
        self.start_shell()
        from foundation.config import load_settings
        from graph_store.config import open_store

        store = GraphData.over(open_store(load_settings(self.env), "backfill", self.env))
        try:
            store.ensure_schema()
            store.import_experts(dt.date.today())
            if self.take_over:
                legacy_outbox.switch(store.backend, store.bridge)  # as `make run` does on a new installation
                store.take_customers()  # likewise: customers and the catalogue copied to the customers service
            if self.sign_in == "identity" and self.take_over:  # likewise: sign-in taken over by the identity service
                assert take_sign_in(store, self.env["DATABASE_URL"])
        finally:
            store.bridge.close()
            store.close()
        self._start_services()
        return self

    def _start_services(self) -> None:
        self.start_customers()
        self.start_ticketing()
        self.start_worker()
        self.start_experts()
        self._gunicorn("reports", self.reports_port, "fragments.reports.app:create_app()")
        self._gunicorn("knowledge", self.knowledge_port, "fragments.knowledge.app:create_app()")
        self.start_notifications()
        self.start_identity()
        self.ready("reports")
        self.ready("knowledge")
        self.ready("notifications")

    def retire_monolith(self) -> list:
        """As `sysops monolith-retire` then `make run MONOLITH=retired` do (ADR 0036): every part's move
        finished and checked with the monolith running, the monolith retired; then every process stopped
        and started again without it. Its database's address and the bridge's are made unusable for what
        runs from then on (so a process that still asked either would fail, not quietly succeed). The
        installation's keys become this system's own copy first: the retirement refuses the monolith's
        user tokens, which must not touch the other tests' key set. Returns the retirement's checks."""
        from foundation.config import load_settings
        from graph_store.config import open_store
        from sysops import retirement

        own_keys = self.root / "keys"
        shutil.copytree(self.env["SYSOPS_KEYS_DIR"], own_keys)
        self.env["SYSOPS_KEYS_DIR"] = str(own_keys)
        settings = load_settings(self.env)
        store = GraphData.over(open_store(settings, "backfill", self.env))
        try:
            done, checks = retirement.retire(settings, store, overlap_s=0)
        finally:
            store.bridge.close()
            store.close()
        assert done, [check for check in checks if not check.ok]
        for name in [n for n in self.processes if n != "graph"]:
            terminate(self.processes.pop(name))
        self.env.update(SYSOPS_MONOLITH="retired", SYSOPS_FRONT_DOOR="shell", SYSOPS_BRIDGE_URL=f"http://127.0.0.1:{free_port()}",
                        DATABASE_URL=f"postgresql://retired@127.0.0.1:{free_port()}/gone")
        self._gunicorn("shell", self.shell_port, FRONT_DOOR_APPS["shell"], threads=8)
        self.ready("shell")
        self._start_services()
        return checks

    def start_customers(self) -> None:
        self._gunicorn("customers", self.customers_port, "fragments.customers.app:create_app()")
        self.ready("customers")

    def start_identity(self) -> None:
        self._gunicorn("identity", self.identity_port, "fragments.identity.app:create_app()")
        self.ready("identity")

    def start_notifications(self, web: bool = True, worker: bool = True) -> None:
        """The notifications service: its web app (messages handed over) and its worker (sends them)."""
        if web:
            self._gunicorn("notifications", self.notifications_port, "fragments.notifications.app:create_app()")
        if worker:
            self._spawn("notifications-worker", [sys.executable, "-m", "sysops.cli", "notifications-worker"],
                        {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.root / "metrics" / "notifications")})

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        env = dict(env or self.env)
        if name not in MONOLITH:  # as the launcher does: only the monolith gets the session key
            env.pop("SYSOPS_SESSION_KEY", None)
        with open(self.root / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
            self.processes[name] = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, start_new_session=True,
                                                    stderr=log)

    def _gunicorn(self, name: str, port: int, factory: str, env: dict[str, str] | None = None,
                  threads: int = 4) -> None:
        """As the launcher runs a web app: two workers, metrics summed over them, request ids in the
        access log (`<name>-access.log`)."""
        log = self.root / f"{name}.log"
        self._binding[name] = (port, log.stat().st_size if log.exists() else 0)
        metrics = self.root / "metrics" / name
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True, exist_ok=True)  # a live worker sharing it may write a file mid-removal
        env = {**(env or self.env), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        self._spawn(name, gunicorn(factory, "127.0.0.1", port, 2, threads, access_log=str(self.root / f"{name}-access.log"),
                                   graceful_timeout_s=None), env)

    def ready(self, name: str, timeout: float = 90.0) -> dict:
        """Web app `name` as last started answers its /healthz, and it is that start's gunicorn which
        answers: its log says it listens on its port. (A port still held by another process, a stopped
        test's worker say, would answer the probe while this start failed to bind.) Its health body."""
        port, offset = self._binding[name]
        started = time.monotonic()
        try:
            wait_listening(self.processes[name], self.root / f"{name}.log", offset, port, timeout)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{name}: {exc}") from exc
        return wait_for_health(f"http://127.0.0.1:{port}/healthz", max(timeout - (time.monotonic() - started), 5.0))

    def start_legacy_shell(self) -> str:
        """A second monolith on the same data with no fragment registered: the legacy screens as they
        were (the baseline the benchmarks compare against). Returns its base URL."""
        port = free_port()
        self._gunicorn("legacy-shell", port, "sysops.wsgi:monolith()", {**self.env, "SYSOPS_FRAGMENTS": ""}, threads=8)
        base = f"http://127.0.0.1:{port}"
        self.ready("legacy-shell")
        return base

    def start_shell(self) -> None:
        """As `make run` does: the monolith for the bridge, and at the front door the monolith again for
        its screens or the composition shell (sysops.launcher.FRONT_DOOR_APPS)."""
        self._gunicorn("bridge", self.bridge_port, "sysops.wsgi:monolith()")
        self._gunicorn("shell", self.shell_port, FRONT_DOOR_APPS[self.front_door], threads=8)
        self.ready("bridge")
        self.ready("shell")

    def start_ticketing(self) -> None:
        self._gunicorn("ticketing", self.ticketing_port, "fragments.ticketing.app:create_app()")
        self.ready("ticketing")

    def start_experts(self) -> None:
        self._gunicorn("experts", self.experts_port, "fragments.experts.app:create_app()")
        self.ready("experts")

    def start_worker(self, name: str = "worker") -> None:
        """As the launcher runs it: its counters in the ticketing app's metrics folder (shown by its /metrics)."""
        self._spawn(name, [sys.executable, "-m", "sysops.cli", "ticketing-worker"],
                    {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.root / "metrics" / "ticketing")})

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """SIGKILL the process and its workers at once, as a crash would: the whole process group (its
        own session), so a gunicorn master cannot start a new worker between two single kills (seen:
        that worker kept the port for seconds and the restarted app failed to bind)."""
        process = self.processes.pop(name)
        try:
            if os.getpgid(process.pid) == process.pid:  # started by _spawn, in its own session
                os.killpg(process.pid, sig)
            else:  # the graph server: a single process
                os.kill(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(15)

    def start_second(self, name: str, factory: str, port: int | None = None) -> int:
        """A second instance of web app `name` (e.g. behind nginx); returns its port. Again on the same
        port after a kill, as the supervisor restarts it: `start_second(name, factory, port)`."""
        port = port or free_port()
        self._gunicorn(f"{name}-2", port, factory, threads=8 if name == "shell" else 4)
        self.ready(f"{name}-2")
        return port

    def stop(self) -> None:
        ordered = ("identity", "notifications-worker", "notifications", "customers", "knowledge", "reports", "experts",
                   "worker", "worker2",
                   "ticketing", "legacy-shell", "shell", "bridge", "graph")
        for name in (*[n for n in self.processes if n not in ordered], *ordered):  # second instances first
            process = self.processes.pop(name, None)
            if process is not None:
                terminate(process)
        if self.graph_cluster:
            self.graph_cluster.stop()

    def store(self):
        """A graph store of our own, to look at what the services wrote (close it, or use `graph_store()`)."""
        from foundation.config import load_settings
        from graph_store.config import open_store

        return GraphData.over(open_store(load_settings(self.env), "ticketing", self.env))

    @contextmanager
    def graph_store(self):
        store = self.store()
        try:
            yield store
        finally:
            store.bridge.close()
            store.close()
