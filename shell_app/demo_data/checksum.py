"""A content checksum of the legacy database: every table, every row, in primary-key order."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, func, select

from ..models import Base


def _normalise(value: object) -> str:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return repr(value)


def content_checksum(engine: Engine, *, exclude_tables: frozenset[str] = frozenset({"alembic_version"})) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            if table.name in exclude_tables:
                continue
            digest.update(f"\n#{table.name}\n".encode())
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)).yield_per(10_000):
                digest.update(("|".join(_normalise(value) for value in row) + "\n").encode())
    return digest.hexdigest()


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
