"""The demo-data generator: deterministic, realistic in shape, and sized by preset."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shell_app.db import make_engine
from shell_app.demo_data import PRESETS, generate
from shell_app.demo_data.checksum import content_checksum, row_counts
from shell_app.migrations import upgrade
from shell_app.models import Contract, LegacyTicket, TicketSlot, UserAccount

ANCHOR = dt.date(2026, 11, 1)


def seeded(url: str, seed: int, preset: str = "tiny"):
    engine = make_engine(url)
    upgrade(engine)
    logins = generate(engine, seed=seed, scale=PRESETS[preset], anchor=ANCHOR)
    return engine, logins


def test_same_seed_gives_identical_content_on_sqlite_and_postgresql(fresh_database_url):
    first, _ = seeded(fresh_database_url("sqlite"), seed=11)
    second, _ = seeded(fresh_database_url("sqlite"), seed=11)
    on_postgres, _ = seeded(fresh_database_url("postgresql"), seed=11)
    other_seed, _ = seeded(fresh_database_url("sqlite"), seed=12)
    checksum = content_checksum(first)
    assert checksum == content_checksum(second) == content_checksum(on_postgres)
    assert checksum != content_checksum(other_seed)
    for engine in (first, second, on_postgres, other_seed):
        engine.dispose()


def test_default_preset_has_the_documented_size_and_a_login_per_role(fresh_database_url):
    engine, logins = seeded(fresh_database_url("sqlite"), seed=42, preset="small")
    counts = row_counts(engine)
    assert (counts["customers"], counts["experts"], counts["tickets"]) == (500, 60, 5000)
    assert {login.role for login in logins} == {"customer", "call_centre", "manager", "admin", "expert"}
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(LegacyTicket.created_at), func.max(LegacyTicket.created_at))).one()
        assert (last - first).days > 600  # about 24 months of history
        assert last <= dt.datetime.combine(ANCHOR, dt.time(9))
        slots_per_ticket = conn.execute(select(func.count(TicketSlot.id)).group_by(TicketSlot.ticket_id)).scalars().all()
        assert set(slots_per_ticket) <= {1, 2, 3}
        statuses = set(conn.execute(select(LegacyTicket.status).distinct()).scalars())
        assert {"open", "assigned", "in_progress", "closed", "cancelled"} <= statuses
        assert conn.scalar(select(func.count()).where(UserAccount.username == "callcentre")) == 1
        # every ticket is against a contract of its own customer
        mismatched = conn.scalar(select(func.count()).select_from(LegacyTicket).join(Contract)
                                 .where(Contract.customer_id != LegacyTicket.customer_id))
        assert mismatched == 0
    engine.dispose()


def test_generator_refuses_a_database_that_already_has_data(fresh_database_url):
    engine, _ = seeded(fresh_database_url("sqlite"), seed=1)
    with pytest.raises(RuntimeError, match="already holds customers"):
        generate(engine, seed=1, scale=PRESETS["tiny"], anchor=ANCHOR)
    engine.dispose()


def test_postgres_sequences_continue_after_generated_ids(app, backend, db):
    """New rows after seeding must not collide with generated ids (PostgreSQL sequences)."""
    from shell_app.models import TicketHistory

    before = db.scalar(select(func.max(TicketHistory.id)))
    db.add(TicketHistory(ticket_id=1, at=dt.datetime.now(), actor="test", action="note", detail="x"))
    db.commit()
    assert db.scalar(select(func.max(TicketHistory.id))) > before


@pytest.mark.slow
def test_100x_preset_row_counts(fresh_database_url):
    engine, _ = seeded(fresh_database_url("sqlite"), seed=42, preset="100x")
    counts = row_counts(engine)
    assert (counts["customers"], counts["experts"], counts["tickets"]) == (50_000, 2_000, 500_000)
    assert counts["ticket_history"] > 1_500_000 and counts["ticket_slots"] > 750_000
    assert counts["contracts"] > 50_000 and counts["bills"] > 100_000
    engine.dispose()
