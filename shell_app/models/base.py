from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Handover:
    """Rows a new service takes over, one at a time (the freeze protocol of graph_store/lazy.py): set when
    the service took its copy (from then on the monolith refuses legacy edits to the row) and when the
    copy was marked done."""

    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    migrated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
