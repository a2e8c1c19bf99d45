"""The versioned schema: migrations build exactly what the models describe, on both backends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from shell_app.db import make_engine
from shell_app.migrations import alembic_config, current_revision, is_empty, upgrade
from shell_app.models import Base


def test_migrations_create_the_schema_the_models_describe(backend, fresh_database_url):
    engine = make_engine(fresh_database_url(backend))
    assert is_empty(engine)
    upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert current_revision(engine) == head
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == []
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == head
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(fresh_database_url):
    engine = make_engine(fresh_database_url("sqlite"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
