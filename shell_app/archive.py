"""The legacy database at the end of the migration (issue 29, ADR 0039): made read-only, and archived as a
final dump with its SHA-256 in a manifest beside it, which anyone can verify later.

Read-only is the database's own refusal, not the monolith's good manners: PostgreSQL with
`default_transaction_read_only` on the database (every session there refuses writes; sessions open
at the time are ended so they come back under it); SQLite with a trigger per table and operation that
aborts the write (file modes do not stop root). Both are undone by `read_write` (the way back, until
the archive is signed off).

The dump: PostgreSQL's `pg_dump` in plain SQL; SQLite's own SQL dump of the same kind. The manifest
names the file, its size and SHA-256, every table's row count and when it was taken."""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from .db import make_engine
from .erasure import erase_customer

GUARD = "archived_read_only"  # the SQLite triggers' name prefix
REFUSAL = "the legacy database is archived: read-only"
MANIFEST = "manifest.json"


class ArchiveError(Exception):
    """The database could not be made read-only or dumped (the message says why); nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    file: str
    bytes: int
    sha256: str
    tables: dict[str, int]
    taken_at: str
    backend: str


def _sqlite_path(url: str) -> str:
    return make_url(url).database or ""


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return sorted(name for name in inspect(engine).get_table_names() if name != "alembic_version")
    finally:
        engine.dispose()


def read_only(url: str) -> None:
    """From now on the database refuses every write (idempotent)."""
    if make_url(url).get_backend_name() == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as conn:
            for table in _tables(url):
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    conn.execute(f'CREATE TRIGGER IF NOT EXISTS "{GUARD}_{table}_{operation.lower()}" BEFORE '
                                 f'{operation} ON "{table}" BEGIN SELECT RAISE(ABORT, \'{REFUSAL}\'); END')
        return
    name = make_url(url).database
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SET default_transaction_read_only = off"))  # this session: one made read-only before
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    finally:
        engine.dispose()


def read_write(url: str) -> None:
    """The way back: writes accepted again (idempotent)."""
    if make_url(url).get_backend_name() == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as conn:
            names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                    "AND name LIKE ?", (f"{GUARD}_%",))]
            for trigger in names:
                conn.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
        return
    name = make_url(url).database
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SET default_transaction_read_only = off"))
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
    finally:
        engine.dispose()


def _row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {table: int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
                    for table in _tables(url)}
    finally:
        engine.dispose()


def _pg_dump() -> str:
    found = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)),
                                             None)
    if not found:
        raise ArchiveError("pg_dump is not installed (apt-get install postgresql-client)")
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dump(url: str, folder: Path, now: dt.datetime | None = None) -> Manifest:
    """The final dump into `folder` (created), with its manifest. Take it once the database is read-only,
    so nothing changes under it."""
    folder.mkdir(parents=True, exist_ok=True)
    backend = make_url(url).get_backend_name()
    target = folder / "legacy.sql"
    if backend == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as conn, target.open("w", encoding="utf-8") as out:
            for line in conn.iterdump():
                out.write(line + "\n")
    else:
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run([_pg_dump(), "--no-owner", "--no-privileges", "--file", str(target), f"--dbname={libpq}"],
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise ArchiveError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    manifest = Manifest(target.name, target.stat().st_size, _sha256(target), _row_counts(url),
                        (now or dt.datetime.now()).replace(microsecond=0).isoformat(), backend)
    (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def verify(folder: Path) -> tuple[bool, str]:
    """Whether the archive in `folder` is the one its manifest describes: (ok, what was found)."""
    try:
        manifest = Manifest(**json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        return False, f"no readable manifest: {exc}"
    target = folder / manifest.file
    if not target.is_file():
        return False, f"{manifest.file} is missing"
    actual = _sha256(target)
    if actual != manifest.sha256:
        return False, f"{manifest.file} has SHA-256 {actual}, the manifest says {manifest.sha256}"
    return True, f"{manifest.file}: {manifest.bytes} bytes, SHA-256 {actual} as in the manifest"


# Erasures requested after the archive was taken: the dump stays as signed (its checksum), the requests are
# kept beside it, one JSON line each, and applied to whatever is restored from it.
ERASURES = "erasures.jsonl"


def record_erasure(folder: Path, entry: dict) -> None:
    with (folder / ERASURES).open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(entry, sort_keys=True) + "\n")


def erasures(folder: Path) -> list[dict]:
    path = folder / ERASURES
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def apply_erasures(url: str, folder: Path) -> int:
    """Every erasure kept beside the archive applied to a database restored from it. Returns how many."""
    done = 0
    for entry in erasures(folder):
        erase_customer(url, int(entry["customer_id"]))
        done += 1
    return done
