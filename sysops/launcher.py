"""What `sysops run` (and so `make run`) starts. Later processes join PROCESSES here."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import replace

import redis
from sqlalchemy import func, select

from foundation import keys
from foundation.config import Settings
from fragments.notifications.adapters import legacy_outbox
from graph_store.config import graph_socket, limits_storage
from graph_store.server import FalkorServer
from shell_app.db import make_engine
from shell_app.demo_data import PRESETS, generate
from shell_app.demo_data.generator import DEMO_PASSWORD
from shell_app.migrations import upgrade
from shell_app.models import Customer
from shell_app.part_owners import ACCOUNTS, owner_of, switched_since
from sysops.reporting import operator_store

from . import account_commands, retirement
from .graph_data import GraphData
from .procutil import gunicorn
from .supervisor import ProcessSpec, Supervisor, python_module


def observe(specs: list[ProcessSpec], settings: Settings) -> None:
    """Every web process gets the metrics token and its own multiprocess metrics folder (its gunicorn
    workers' counters are summed at a scrape), emptied at start; a background worker writes into the
    folder of the app it works for, whose /metrics so shows it too."""
    token = keys.metrics_token(settings.keys_dir)
    for spec in specs:
        if spec.health_url is None:
            continue
        folder = settings.data_dir / "metrics" / spec.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        spec.env.update(SYSOPS_METRICS_TOKEN=token, PROMETHEUS_MULTIPROC_DIR=str(folder))
    for spec in specs:  # a worker's counters are shown by the app it works for
        if spec.name in WORKER_OF:
            spec.env["PROMETHEUS_MULTIPROC_DIR"] = str(settings.data_dir / "metrics" / WORKER_OF[spec.name])


WORKER_OF = {"ticketing-worker": "ticketing", "outbox-worker": "shell_app", "notifications-worker": "notifications",
             "reports-worker": "reports"}


# What each process may hold of the installation's keys (ADR 0003). The monolith's processes (screens,
# bridge, the outbox worker that shares its database) see the keys folder and the session key; every
# other process is told only of its own private folder (if it signs at all) and the public key file.
MONOLITH_PROCESSES = ("bridge", "shell_app", "outbox-worker")
SIGNS_AS = {"ticketing": "ticketing", "ticketing-worker": "ticketing", "experts": "experts", "reports": "reports",
            "reports-worker": "reports",
            "knowledge": "knowledge", "notifications": "notifications", "notifications-worker": "notifications",
            "customers": "customers", "identity": "identity", "shell_app": "shell"}
SHELL_ONLY_ENV = ("SYSOPS_SESSION_KEY", "SYSOPS_KEYS_DIR")


def runs_the_monolith(name: str, settings: Settings) -> bool:
    """Whether process `name` is the monolith's: at the front door only while its screens answer there (the
    composition shell holds nothing of it, ADR 0033: it is given the shell's own folder alone)."""
    return name in MONOLITH_PROCESSES and not (name == "shell_app" and settings.front_door == "shell")


def confine_keys(specs: list[ProcessSpec], settings: Settings) -> None:
    assert settings.keys_dir is not None, "the launcher needs the installation's keys folder"
    for spec in specs:
        if runs_the_monolith(spec.name, settings):
            spec.env.setdefault("SYSOPS_KEYS_DIR", str(settings.keys_dir))
            continue
        spec.withhold = SHELL_ONLY_ENV
        spec.env["SYSOPS_PUBLIC_KEYS"] = str(settings.public_keys)
        # A process that signs nothing still gets a (missing) own folder, so it is not pointed at the others.
        service = SIGNS_AS.get(spec.name, f"none-{spec.name}")
        spec.env["SYSOPS_OWN_KEYS"] = str(keys.own_folder(settings.keys_dir, service))


# What answers at the shell's port (SYSOPS_FRONT_DOOR, ADR 0033): the monolith's screens, or the
# composition shell, which loads nothing of the monolith (its own factory, not sysops.wsgi's).
FRONT_DOOR_APPS = {"monolith": "sysops.wsgi:monolith()", "shell": "shell_app.front.app:create_front()"}


def process_specs(settings: Settings) -> list[ProcessSpec]:
    shell = f"http://{settings.host}:{settings.shell_port}"
    specs = []
    if settings.run_mail_sink:
        specs.append(ProcessSpec("mail-sink", python_module(
            "aiosmtpd", "-n", "-l", f"{settings.smtp_host}:{settings.smtp_port}",
            "-c", "aiosmtpd.handlers.Mailbox", str(settings.data_dir / "mail"))))
    if not os.environ.get("SYSOPS_GRAPH_URL"):
        specs.append(ProcessSpec("graph-server", python_module("sysops.cli", "graph-server"),
                                 ready=lambda: _graph_ready(settings),
                                 starting=FalkorServer(settings.data_dir / "graph").loading))
    bridge = f"http://{settings.host}:{settings.bridge_port}"
    specs += [
        # The same monolith twice: screens (threads wait on fragments through the proxy) and the bridge
        # the fragments call back, so one can never starve the other.
        ProcessSpec("bridge", gunicorn("sysops.wsgi:monolith()", settings.host, settings.bridge_port,
                                       settings.workers, threads=4), health_url=f"{bridge}/healthz"),
        ProcessSpec("shell_app", gunicorn(FRONT_DOOR_APPS[settings.front_door], settings.host, settings.shell_port,
                                          settings.workers, threads=8), health_url=f"{shell}/healthz"),
        ProcessSpec("outbox-worker", python_module("sysops.cli", "outbox-worker")),
        ProcessSpec("ticketing", gunicorn("fragments.ticketing.app:create_app()", settings.host,
                                          settings.ticketing_port, settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.ticketing_port}/healthz"),
        ProcessSpec("ticketing-worker", python_module("sysops.cli", "ticketing-worker")),
        ProcessSpec("experts", gunicorn("fragments.experts.app:create_app()", settings.host, settings.experts_port,
                                        settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.experts_port}/healthz"),
        ProcessSpec("reports", gunicorn("fragments.reports.app:create_app()", settings.host, settings.reports_port,
                                        settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.reports_port}/healthz"),
        ProcessSpec("reports-worker", python_module("sysops.cli", "reports-worker")),
        ProcessSpec("knowledge", gunicorn("fragments.knowledge.app:create_app()", settings.host,
                                          settings.knowledge_port, settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.knowledge_port}/healthz"),
        ProcessSpec("notifications", gunicorn("fragments.notifications.app:create_app()", settings.host,
                                              settings.notifications_port, settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.notifications_port}/healthz"),
        ProcessSpec("notifications-worker", python_module("sysops.cli", "notifications-worker")),
        ProcessSpec("customers", gunicorn("fragments.customers.app:create_app()", settings.host,
                                          settings.customers_port, settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.customers_port}/healthz"),
        ProcessSpec("identity", gunicorn("fragments.identity.app:create_app()", settings.host,
                                         settings.identity_port, settings.workers, threads=4),
                    health_url=f"http://{settings.host}:{settings.identity_port}/healthz"),
    ]
    if settings.monolith == "retired":  # ADR 0036: neither its processes nor its database
        # ...but its bridge alone while it is watched for readers before the switch-off (ADR 0039)
        gone = ("outbox-worker",) if settings.watch_bridge and not settings.decommissioned_at else ("bridge", "outbox-worker")
        specs = [spec for spec in specs if spec.name not in gone]
        if settings.decommissioned_at:  # its address answers 410 Gone with each route's successor (ADR 0039)
            specs.append(ProcessSpec("bridge-gone", gunicorn("bridge_api.gone:create_gone()", settings.host,
                                                             settings.bridge_port, 1, threads=2),
                                     health_url=f"{bridge}/healthz",
                                     env={"SYSOPS_DECOMMISSIONED_AT": settings.decommissioned_at}))
    confine_keys(specs, settings)
    for spec in specs:
        # What the process is told of the installation's mode, whatever the launcher's own environment.
        spec.env.update(SYSOPS_MONOLITH=settings.monolith, SYSOPS_FRONT_DOOR=settings.front_door)
        if spec.name in ("bridge", "shell_app"):
            spec.env.setdefault("SYSOPS_LIMITS_STORAGE", limits_storage(settings.data_dir))
    return specs


def _graph_ready(settings: Settings) -> bool:
    try:
        client = redis.Redis(unix_socket_path=str(graph_socket(settings.data_dir)), socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def prepare_graph(settings: Settings) -> int:
    store = GraphData.over(operator_store(settings))
    try:
        imported = prepare(store, customers_service="customers" in dict(settings.fragments))
        if "identity" in dict(settings.fragments) and take_sign_in(store, settings.database_url):
            # A new installation: the identity service is the only issuer of user tokens from the start
            # (ADR 0035; no token of the monolith's is in flight yet, so no overlap is needed).
            keys.retire_user_issuer(settings.keys_dir, "shell", overlap_seconds=0)
        return imported
    finally:
        store.bridge.close()
        store.close()


def ensure_schema(settings: Settings) -> int:
    """Without the monolith only the graph's schema is seen to (a newer release's indexes); nothing is
    imported. Returns 0, the expert profiles imported."""
    store = GraphData.over(operator_store(settings))
    try:
        store.ensure_schema()
    finally:
        store.close()
    return 0


def take_sign_in(store: GraphData, database_url: str) -> bool:
    """On an installation whose sign-in never moved (nor moved back), the identity service takes it over
    (docs/adr/0032: every account copied, reconciled, the owner switched). True if it did now."""
    with account_commands.legacy_db(database_url) as session:
        if switched_since(session, ACCOUNTS) is not None:
            return False
        _, found = account_commands.move_sign_in(store.backend, store.bridge, session)
    if not found.ok:
        print(f"Sign-in stays with the monolith: {len(found.needs_person)} accounts differ (sysops accounts-reconcile)")
    return found.ok


def signs_in_at_identity(database_url: str) -> bool:
    with account_commands.legacy_db(database_url) as session:
        return owner_of(session, ACCOUNTS) == "identity"


def prepare(store: GraphData, *, customers_service: bool) -> int:
    """Indexes and constraints, expert profiles imported once (the graph is their master), on an
    installation whose outbox was never switched (nor rolled back), the switch to the notifications
    service (docs/adr/0023), the survey templates copied to the ticketing service, and, while the customers
    service is installed, customers and the catalogue copied to it (0025). Switched off (SYSOPS_FRAGMENTS
    without it, as after a rollback) the monolith keeps them: a restart must not take back what was just rolled back."""
    store.ensure_schema()
    if store.bridge.outbox_switched_since() is None:
        legacy_outbox.switch(store.backend, store.bridge)
    if customers_service:
        store.take_customers()  # after the first run: nothing left to copy, a few quick calls
    store.take_survey_templates()
    return store.import_experts()


def prepare_database(settings: Settings, preset: str, seed: int) -> list | None:
    """Migrate the schema; seed demo data only when the database holds no customers."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(Customer.__table__)):
                return None
        # History ends today so the newest demo tickets are recent whenever a newcomer starts.
        return generate(engine, seed=seed, scale=PRESETS[preset], anchor=dt.date.today())
    finally:
        engine.dispose()


def run(settings: Settings, preset: str = "small", seed: int = 42) -> int:
    """Everything of the installation's mode (SYSOPS_MONOLITH) until Ctrl-C. `retired` on an installation
    whose monolith still holds parts: the migration is finished first, with the monolith running, and the
    monolith retired (`sysops monolith-retire`); then everything starts again without it."""
    keys.ensure_all(settings.keys_dir)  # first start: a key pair per service, before any process signs
    record = retirement_record(settings)
    seeded = False
    settings, refusal = as_recorded(settings, record)
    if refusal:
        print(refusal, flush=True)
        return 1
    if settings.monolith == "retired" and record is None:
        print("The monolith still holds its parts: finishing the migration with it running, then retiring it.",
              flush=True)
        code, seeded = finish_migration(replace(settings, monolith="migrating", front_door="shell"), preset, seed)
        if code:
            return code
    return serve(settings, preset, seed, seeded)


def as_recorded(settings: Settings, record: dict | None) -> tuple[Settings, str | None]:
    """The installation's settings as the graph's record of the retirement says (nothing to edit by hand
    once the monolith is decommissioned: its processes are left out, its port answers 410), or why its
    mode cannot be run (a monolith retired, and SYSOPS_MONOLITH still says it runs)."""
    if settings.monolith == "migrating" and record is not None:
        return settings, (f"The monolith was retired on {record['at']} (every part it held is at its service). Run "
                          "without it (make run MONOLITH=retired), or bring it back first: sysops monolith-restore.")
    if record is not None and record.get("decommissioned"):
        if settings.watch_bridge:
            print("The monolith was decommissioned: its bridge is not run any more (SYSOPS_WATCH_BRIDGE ignored).",
                  flush=True)
        return replace(settings, watch_bridge=False, decommissioned_at=record["decommissioned"]["at"]), None
    return settings, None


def retirement_record(settings: Settings) -> dict | None:
    """The graph's record of the monolith's retirement (graph_store/retirement.py); the embedded graph
    server is started for the question alone when it is the one in use and not serving already."""
    graph = [spec for spec in process_specs(settings) if spec.name == "graph-server"]
    if not graph or _graph_ready(settings):  # another graph server, or the embedded one running (never twice)
        return retirement.retired_record(settings)
    supervisor = Supervisor(graph)
    try:
        supervisor.start()
        return retirement.retired_record(settings)
    finally:
        supervisor.stop()


def supervised(settings: Settings) -> Supervisor:
    """Every process of the installation's mode, observed (metrics folders, tokens), not started yet."""
    specs = process_specs(settings)
    observe(specs, settings)
    return Supervisor(specs)


def finish_migration(settings: Settings, preset: str, seed: int) -> tuple[int, bool]:
    """The monolith and the services running, every part moved and checked, the monolith retired, all
    stopped again. Returns (exit code, whether demo data was generated)."""
    seeded = prepare_database(settings, preset, seed) is not None
    supervisor = supervised(settings)
    try:
        supervisor.start()
        prepare_graph(settings)
        store = GraphData.over(operator_store(settings))
        try:
            # A newcomer's first start: nobody holds a token of the monolith's, no overlap is needed.
            done, checks = retirement.retire(settings, store, overlap_s=0 if seeded else keys.USER_TOKEN_OVERLAP_SECONDS)
        finally:
            store.bridge.close()
            store.close()
    finally:
        supervisor.stop()
    if not done:
        print("The monolith cannot be retired yet:", flush=True)
        for check in checks:
            print(check.line(), flush=True)
        return 1, seeded
    print("Every part moved and reconciled: the monolith is retired.", flush=True)
    return 0, seeded


def serve(settings: Settings, preset: str, seed: int, seeded: bool) -> int:
    retired = settings.monolith == "retired"
    if not retired:
        seeded = prepare_database(settings, preset, seed) is not None
    supervisor = supervised(settings)
    try:
        supervisor.start()
        imported = ensure_schema(settings) if retired else prepare_graph(settings)
        if not retired and settings.front_door == "shell" and not signs_in_at_identity(settings.database_url):
            supervisor.stop()
            print("The composition shell needs sign-in at the identity service, and it is still the monolith's: "
                  "run `sysops accounts-reconcile`, mend what it lists, then `sysops accounts-cutover`.", flush=True)
            return 1
    except KeyboardInterrupt:  # Ctrl-C while starting: stop what did start, as after a normal run
        supervisor.stop()
        print("Stopped.", flush=True)
        return 0
    except Exception:
        supervisor.stop()
        raise
    print_welcome(settings, seeded, imported)
    supervisor.watch()
    print("Stopped.", flush=True)
    return 0


def print_welcome(settings: Settings, seeded: bool, imported: int) -> None:
    retired = settings.monolith == "retired"
    mode = ("the monolith is retired: its processes and its database are not running" if retired else
            "migration in progress: the monolith runs beside the services")
    print(f"\nSysops Squad is running ({mode}; data in {settings.data_dir}"
          f"{', demo data just generated' if seeded else ''}).")
    front = ("composition shell, no data of its own" + ("" if retired else "; the monolith's screens stay on the "
                                                             "bridge's port")
             if settings.front_door == "shell" else "the monolith's screens, the services' fragments in them")
    print(f"  Front door:            http://{settings.host}:{settings.shell_port}/ ({front})")
    print(f"  Ticketing fragment:    http://{settings.host}:{settings.shell_port}/fragments/ticketing/queue"
          f" (its own process on port {settings.ticketing_port})")
    print(f"  Reports fragment:      http://{settings.host}:{settings.shell_port}/reports (managers; port"
          f" {settings.reports_port})")
    print(f"  Experts fragment:      http://{settings.host}:{settings.shell_port}/ (log in as an expert; port"
          f" {settings.experts_port})")
    print(f"  Knowledge fragment:    http://{settings.host}:{settings.shell_port}/kb (articles; port"
          f" {settings.knowledge_port})")
    print(f"  Notifications:         http://{settings.host}:{settings.shell_port}/outbox (staff; port"
          f" {settings.notifications_port}; texts in {settings.data_dir / 'sms' / 'texts.jsonl'})")
    print(f"  Customers fragment:    http://{settings.host}:{settings.shell_port}/my (a customer's details; port"
          f" {settings.customers_port})")
    print(f"  Sign-in (identity):    http://{settings.host}:{settings.shell_port}/login (accounts, sessions; port"
          f" {settings.identity_port})")
    if not retired:
        print(f"  Bridge API:            http://{settings.host}:{settings.bridge_port}/bridge/v1/openapi.json (bearer "
              f"token{'; also under the shell port' if settings.front_door == 'monolith' else ''})")
    print(f"  Graph (FalkorDB):      {os.environ.get('SYSOPS_GRAPH_URL') or settings.data_dir / 'graph'}"
          f" ({imported} expert profiles imported now)")
    if settings.run_mail_sink:
        print(f"  Outgoing email:        {settings.data_dir / 'mail'} (local SMTP sink on port {settings.smtp_port})")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, username in (("call centre", "callcentre"), ("manager", "manager"), ("admin", "admin"),
                           ("expert", "expert1"), ("customer", "customer1")):
        print(f"  {role:<12} {username}")
    print("Press Ctrl-C to stop everything.", flush=True)
