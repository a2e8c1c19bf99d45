"""`sysops decommission` (issue 29, ADR 0039) over a real monolith of the test's own and its bridge's real
metrics, on SQLite and PostgreSQL: a refusal for each reason, saying why and changing nothing (the monolith
not retired; its database changed since the retirement; a bridge route called in the quiet window; the
bridge not answering); then the switch-off: the database refuses writes, the archive verifies by its
checksum, the way back works until the archive is signed off, and after that every way back refuses."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from foundation.config import load_settings
from graph_store import retirement
from graph_store.backends.falkordb_backend import FalkorBackend
from shell_app.archive import verify
from shell_app.db import make_engine
from shell_app.demo_data.checksum import content_checksum
from sysops.decommission import decommission, undo

from ..support.keys import env as keys_env
from ..support.processes import free_port
from .conftest import own_legacy_system

TOKEN = "decommission-test-metrics-token"
NOW = dt.datetime(2026, 12, 5, 13, 0)


def _write(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO locales (code, name, region) VALUES ('DEC', 'Decom', 'Scotland')"))
    finally:
        engine.dispose()


def _retire(backend, url: str) -> None:
    engine = make_engine(url)
    try:
        retirement.retire(backend, "2026-12-05T12:00:00", {"legacy_checksum": content_checksum(engine)})
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request, falkor_server, fresh_database_url, tmp_path):
    url = fresh_database_url(request.param)
    with own_legacy_system(falkor_server, url, seed=67, service="backfill", workers=1,
                           env={"SYSOPS_METRICS_TOKEN": TOKEN}) as (backend, bridge, base):
        settings = dataclasses.replace(load_settings(), database_url=url, metrics_token=TOKEN)
        yield settings, backend, bridge, base, tmp_path / "archive"


def test_each_refusal_says_why_and_changes_nothing(legacy):
    settings, backend, bridge, base, archive = legacy
    done, checks, _ = decommission(settings, backend, base, archive, quiet_s=0, sleep=lambda s: None)
    assert not done and [(c.part, c.ok) for c in checks] == [("monolith retired", False)]
    _retire(backend, settings.database_url)
    called, checks, _ = decommission(settings, backend, base, archive, quiet_s=5,
                                     sleep=lambda s: bridge.legacy_stats())  # a reader in the window
    quiet = next(c for c in checks if c.part.startswith("bridge quiet"))
    assert not called and not quiet.ok and "GET /bridge/v1/legacy-tickets/stats x1" in quiet.detail
    silent, checks, _ = decommission(settings, backend, f"http://127.0.0.1:{free_port()}", archive, quiet_s=0,
                                     sleep=lambda s: None)
    assert not silent and "does not answer" in next(c for c in checks if c.part.startswith("bridge")).detail
    _write(settings.database_url)  # a hidden writer since the retirement
    changed, checks, _ = decommission(settings, backend, base, archive, quiet_s=0, sleep=lambda s: None)
    assert not changed and not next(c for c in checks if c.part == "legacy database unchanged").ok
    assert retirement.decommissioned(backend) is None and not archive.exists()
    engine = make_engine(settings.database_url)  # still accepts writes: nothing was changed
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM locales WHERE code = 'DEC'"))
    engine.dispose()


def test_the_switch_off_the_way_back_and_the_sign_off(legacy):
    settings, backend, bridge, base, archive = legacy
    _retire(backend, settings.database_url)
    done, checks, record = decommission(settings, backend, base, archive, quiet_s=1, sleep=lambda s: None, now=NOW)
    assert done and all(c.ok for c in checks), [c.line() for c in checks]
    ok, said = verify(archive)
    assert ok and record["sha256"] in said and record["archive"] == str(archive)
    with pytest.raises(DBAPIError):
        _write(settings.database_url)  # the database itself refuses
    assert "undo it first" in retirement.no_way_back(backend)
    assert decommission(settings, backend, base, archive, quiet_s=0, sleep=lambda s: None)[0]  # done before

    assert "accepts writes again" in undo(settings, backend)
    _write(settings.database_url)
    assert retirement.decommissioned(backend) is None and retirement.no_way_back(backend) is None
    _retire(backend, settings.database_url)  # retired again with what it now holds
    assert decommission(settings, backend, base, archive, quiet_s=0, sleep=lambda s: None, now=NOW)[0]
    assert retirement.sign_off(backend, "2026-12-05T14:00:00", "the auditor")
    assert not retirement.sign_off(backend, "2026-12-05T15:00:00", "someone else")
    assert "refused" in undo(settings, backend) and "no way back" in retirement.no_way_back(backend)
    with pytest.raises(DBAPIError):
        _write(settings.database_url)


def test_the_systemd_units_read_the_state_from_the_graph_and_hold_no_monolith_once_decommissioned(
        falkor_server, tmp_path):
    """`sysops systemd-units` asks the graph: retired and decommissioned, no monolith unit and the bridge's
    address the tombstone's, with nothing set by hand; retired while SYSOPS_MONOLITH still says it runs, a
    refusal naming the way on."""
    graph = f"units{time.time_ns()}"
    backend = FalkorBackend(graph=graph, unix_socket_path=str(falkor_server.socket_path))
    env = {**os.environ, **keys_env(), "SYSOPS_DATA_DIR": str(tmp_path / "var"), "SYSOPS_MONOLITH": "retired",
           "SYSOPS_GRAPH_URL": f"unix://{falkor_server.socket_path}", "SYSOPS_GRAPH_NAME": graph}
    env.pop("SYSOPS_DECOMMISSIONED_AT", None)

    def units(**more: str) -> tuple[subprocess.CompletedProcess, set[str]]:
        out = tmp_path / f"units{time.time_ns()}"
        done = subprocess.run([sys.executable, "-m", "sysops.cli", "systemd-units", "--out", str(out)],
                              env={**env, **more}, capture_output=True, text=True, timeout=120)
        return done, {p.name for p in out.glob("*.service")}

    try:
        retirement.retire(backend, "2026-12-05T12:00:00", {})
        done, retired = units()
        assert done.returncode == 0, done.stderr
        assert "sysops-bridge.service" not in retired and "sysops-bridge-gone.service" not in retired
        done, watched = units(SYSOPS_WATCH_BRIDGE="1")
        assert done.returncode == 0 and "sysops-bridge.service" in watched  # retired: its bridge alone, watched
        retirement.decommission(backend, "2026-12-06T09:00:00", "archive/legacy.dump", "0" * 64, {})
        done, gone = units(SYSOPS_WATCH_BRIDGE="1")
        assert done.returncode == 0, done.stderr
        assert "sysops-bridge-gone.service" in gone and "sysops-bridge.service" not in gone
        assert "sysops-outbox-worker.service" not in gone  # the shell_app unit is the composition shell
        tombstone = (tmp_path.glob("units*/sysops-bridge-gone.service"))
        assert any("SYSOPS_DECOMMISSIONED_AT=2026-12-06T09:00:00" in p.read_text() for p in tombstone)
        refused, written = units(SYSOPS_MONOLITH="migrating")
        assert refused.returncode == 1 and "monolith-restore" in refused.stderr and not written
    finally:
        backend.clear()
        backend.close()
