"""The legacy database archived (issue 29, ADR 0039), on SQLite and PostgreSQL: made read-only it refuses
every write by itself (an insert, an update, a delete, from a connection opened before or after); the
final dump's manifest names its SHA-256, which verifies, and a tampered or missing dump does not; the
way back accepts writes again. Each test writes its own rows into a database of its own."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shell_app.archive import dump, read_only, read_write, verify
from shell_app.db import make_engine
from shell_app.migrations import upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request, fresh_database_url):
    url = fresh_database_url(request.param)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO locales (code, name, region) VALUES ('ARC', 'Archive Town', 'England and Wales')"))
    engine.dispose()
    return url


def _write(url: str, statement: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_read_only_refuses_every_write_and_the_way_back_accepts_them_again(legacy):
    before = make_engine(legacy)
    open_early = before.connect()  # a session opened before: it too is refused (or ended)
    read_only(legacy)
    read_only(legacy)  # idempotent
    for statement in ("INSERT INTO locales (code, name, region) VALUES ('NEW', 'New Town', 'Scotland')",
                      "UPDATE locales SET name = 'Renamed' WHERE code = 'ARC'",
                      "DELETE FROM locales WHERE code = 'ARC'"):
        with pytest.raises(DBAPIError):
            _write(legacy, statement)
    with pytest.raises(DBAPIError):
        open_early.execute(text("UPDATE locales SET name = 'Renamed' WHERE code = 'ARC'"))
        open_early.commit()
    open_early.close()
    before.dispose()
    engine = make_engine(legacy)
    with engine.connect() as conn:  # reads go on
        assert conn.execute(text("SELECT name FROM locales WHERE code = 'ARC'")).scalar_one() == "Archive Town"
    engine.dispose()
    read_write(legacy)
    _write(legacy, "UPDATE locales SET name = 'Renamed' WHERE code = 'ARC'")


def test_the_dump_verifies_by_its_manifest_and_a_changed_or_missing_dump_does_not(legacy, tmp_path):
    read_only(legacy)
    manifest = dump(legacy, tmp_path / "archive", now=dt.datetime(2026, 12, 5, 12, 0))
    assert manifest.tables["locales"] >= 1 and manifest.bytes > 0 and len(manifest.sha256) == 64
    assert "Archive Town" in (tmp_path / "archive" / manifest.file).read_text(encoding="utf-8")
    ok, said = verify(tmp_path / "archive")
    assert ok and manifest.sha256 in said
    with (tmp_path / "archive" / manifest.file).open("a", encoding="utf-8") as changed:
        changed.write("-- one more line\n")
    ok, said = verify(tmp_path / "archive")
    assert not ok and "the manifest says" in said
    (tmp_path / "archive" / manifest.file).unlink()
    assert verify(tmp_path / "archive") == (False, f"{manifest.file} is missing")
    read_write(legacy)
