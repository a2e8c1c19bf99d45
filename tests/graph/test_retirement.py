"""The monolith's retirement as the graph records it (graph_store/retirement.py, ADR 0036), on both
backends: recorded only when every part's check holds, with the monolith's user tokens refused from
then on; restored by removing the record."""
from __future__ import annotations

import datetime as dt

from foundation import keys
from foundation.config import load_settings
from graph_store import retirement
from shell_app.db import make_engine
from shell_app.demo_data.checksum import content_checksum
from shell_app.migrations import upgrade
from sysops import retirement as retiring
from sysops.graph_data import GraphData
from tests.support.fake_bridge import FakeBridgeClient

NOW = dt.datetime(2026, 12, 5, 9, 0)


def test_retired_only_when_every_check_holds_and_restored_by_removing_the_record(graph_backend, tmp_path, monkeypatch):
    settings = load_settings({"SYSOPS_DATA_DIR": str(tmp_path)})
    keys.ensure_all(settings.keys_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)  # the monolith's database (empty): what it holds is recorded with the retirement
    held = content_checksum(engine)
    engine.dispose()
    store = GraphData(graph_backend, FakeBridgeClient())
    checks = [retiring.Check("tickets", True, "0 not moved"), retiring.Check("accounts", False, "2 need a person")]
    monkeypatch.setattr(retiring, "finish_moves", lambda _store, _url: checks)
    assert retiring.retire(settings, store, now=NOW) == (False, checks)
    assert [c.line() for c in checks] == ["  ok   tickets: 0 not moved", "  LEFT accounts: 2 need a person"]
    assert retirement.retirement(graph_backend) is None
    assert not keys.retired_user_issuers(settings.keys_dir)  # the monolith still names users
    checks[1] = retiring.Check("accounts", True, "all moved")
    assert retiring.retire(settings, store, overlap_s=0, now=NOW) == (True, checks)
    assert retirement.retirement(graph_backend) == {"at": "2026-12-05T09:00:00",
                                                    "figures": {"tickets": "0 not moved", "accounts": "all moved",
                                                                "legacy_checksum": held}}
    assert "shell" in keys.retired_user_issuers(settings.keys_dir)
    assert retiring.retire(settings, store, now=NOW + dt.timedelta(hours=1)) == (True, [])  # once: kept as it was
    assert retirement.retirement(graph_backend)["at"] == "2026-12-05T09:00:00"
    assert retirement.restore(graph_backend) is True and retirement.retirement(graph_backend) is None
    assert retirement.restore(graph_backend) is False


def test_the_migration_report_says_every_part_is_held_by_its_service_once_the_monolith_is_retired(graph_backend):
    from bridge_client.retired import RetiredMonolith
    from fragments.reports.adapters.progress import migration_progress
    from fragments.ticketing.adapters.tickets import GraphTickets

    tickets = GraphTickets(graph_backend, RetiredMonolith())
    tickets.create(customer_id=7, contract_id=70, product_id=5, locale_id=2, description="Printer jams",
                   slots=[], channel="phone", actor="cc", now=NOW)
    progress = migration_progress(graph_backend, RetiredMonolith())
    assert progress["retired"] is True and progress["remaining"] == 0 and progress["percent_migrated"] == 100.0
    assert progress["new_tickets"] == 1
    parts = {p["part"]: p for p in progress["parts"]}
    assert set(parts) >= {"tickets", "knowledge base", "customers and contracts"}
    assert all(p["remaining"] == 0 and p["legacy"] is None and "retired" in p["reconciliation"] for p in parts.values())
    assert parts["tickets"]["new"] == 1
