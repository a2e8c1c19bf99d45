"""Running without the monolith (ADR 0036): the client that stands for a retired monolith, the mode's
settings, and what the launcher starts (or refuses) in each mode."""
from __future__ import annotations

import inspect

import pytest

from bridge_client import BridgeClient, NotFound, Unavailable
from bridge_client.retired import Retired, RetiredMonolith
from foundation.config import Settings, load_settings
from graph_store.config import bridge_for
from sysops import launcher

READS_NOTHING = {"products": [], "locales": [], "legacy_commitments": [], "legacy_report_rows": [],
                 "search_articles": [], "get_legacy_tickets": [], "freeze_legacy_tickets": [], "freeze_articles": [],
                 "freeze_outbox": [], "freeze_handover": [], "account_named": None}
ARGUMENTS = {"legacy_commitments": (), "legacy_report_rows": ("2026-01-01T00:00:00", "2026-02-01T00:00:00"),
             "get_legacy_tickets": ([1, 2],), "freeze_legacy_tickets": ([1],), "freeze_articles": ([1],),
             "freeze_outbox": ([1],), "freeze_handover": ("customers", [1]), "account_named": ("callcentre",)}


def protocol_methods() -> list[str]:
    return [name for name, _ in inspect.getmembers(BridgeClient, inspect.isfunction) if not name.startswith("_")]


def test_it_answers_every_call_of_the_bridge_client_with_the_same_parameters():
    retired = RetiredMonolith()
    for name in protocol_methods():
        ours = getattr(retired, name, None)
        assert ours is not None, f"RetiredMonolith lacks {name}"
        wanted = [p for p in inspect.signature(getattr(BridgeClient, name)).parameters if p != "self"]
        if name != "notify":  # notify takes its keyword-only message as **kwargs
            assert list(inspect.signature(ours).parameters) == wanted, name


def test_reads_find_nothing_and_every_part_is_handed_over():
    retired = RetiredMonolith("2026-12-05T09:00:00")
    for name, answer in READS_NOTHING.items():
        assert getattr(retired, name)(*ARGUMENTS.get(name, ())) == answer, name
    for name in ("legacy_ticket_ids", "legacy_checksums", "article_ids", "outbox_ids", "outbox_checksums", "experts"):
        assert list(getattr(retired, name)()) == [], name
    assert list(retired.handover_ids("accounts")) == [] and list(retired.handover_checksums("plans")) == []
    for stats in (retired.legacy_stats(), retired.article_stats(), retired.handover_stats("customers")):
        assert stats["total"] == stats["remaining"] == 0 and stats["retired"] is True
    assert retired.legacy_report_now("2026-12-05T09:00:00") == {"waiting": [], "loads": [], "surveys": []}
    assert retired.outbox_owner() == "notifications" and retired.outbox_switched_since() == "2026-12-05T09:00:00"
    for ask in (lambda: retired.get_customer(7), lambda: retired.coverage(7, 1), lambda: retired.get_expert(3),
                lambda: retired.get_legacy_ticket(5), lambda: retired.get_article(31)):
        with pytest.raises(NotFound):
            ask()


def test_writes_are_refused_at_once_as_unavailable_so_what_changed_stays_ahead_of_its_legacy_row():
    retired = RetiredMonolith()
    for write in (lambda: retired.write_back([{"id": 1}]), lambda: retired.write_back_contact(7, {}),
                  lambda: retired.write_back_record("plans", 1, {}), lambda: retired.write_back_expert(3, {}),
                  lambda: retired.write_back_account(4, {}), lambda: retired.publish_article(31, {}),
                  lambda: retired.raise_staff_alerts([{"kind": "x"}]), lambda: retired.hand_back([{}]),
                  lambda: retired.notify(idempotency_key="k", channel="email", recipient_kind="customer",
                                         recipient_id=7, subject="s", body="b"),
                  lambda: retired.set_outbox_owner("legacy"), lambda: retired.release_handover("customers", [1])):
        with pytest.raises(Retired) as refused:
            write()
        assert isinstance(refused.value, Unavailable) and refused.value.problem["kind"] == "monolith-retired"
    retired.mark_handover("customers", [])  # nothing to mark is no write
    with pytest.raises(Retired):
        retired.mark_handover("customers", [1])


def settings_for(tmp_path, **env: str) -> Settings:
    return load_settings({"SYSOPS_DATA_DIR": str(tmp_path), **env})


def test_the_mode_is_named_for_what_it_is_and_a_retired_monolith_cannot_be_the_front_door(tmp_path):
    assert settings_for(tmp_path).monolith == "migrating"
    retired = settings_for(tmp_path, SYSOPS_MONOLITH="retired")
    assert retired.monolith == "retired" and retired.front_door == "shell"
    assert isinstance(bridge_for(retired, "ticketing"), RetiredMonolith)
    with pytest.raises(ValueError, match="SYSOPS_MONOLITH"):
        settings_for(tmp_path, SYSOPS_MONOLITH="gone")
    with pytest.raises(ValueError, match="retired"):
        settings_for(tmp_path, SYSOPS_MONOLITH="retired", SYSOPS_FRONT_DOOR="monolith")


def test_without_the_monolith_neither_its_processes_run_and_every_process_is_told_so(tmp_path):
    migrating = {spec.name for spec in launcher.process_specs(settings_for(tmp_path))}
    specs = {spec.name: spec for spec in launcher.process_specs(settings_for(tmp_path, SYSOPS_MONOLITH="retired"))}
    assert migrating - set(specs) == {"bridge", "outbox-worker"}
    assert specs["shell_app"].argv[-1] == "shell_app.front.app:create_front()"
    assert all(spec.env["SYSOPS_MONOLITH"] == "retired" and spec.env["SYSOPS_FRONT_DOOR"] == "shell"
               for spec in specs.values())


def test_the_launcher_refuses_to_run_a_retired_monolith_and_finishes_the_migration_before_running_without_it(
        tmp_path, monkeypatch, capsys):
    served, finished = [], []
    monkeypatch.setattr(launcher, "serve", lambda settings, *_: served.append(settings.monolith) or 0)
    monkeypatch.setattr(launcher, "finish_migration",
                        lambda settings, *_: finished.append((settings.monolith, settings.front_door)) or (0, True))
    monkeypatch.setattr(launcher, "retirement_record", lambda _settings: {"at": "2026-12-05T09:00:00"})
    assert launcher.run(settings_for(tmp_path)) == 1 and not served
    assert "retired on 2026-12-05T09:00:00" in capsys.readouterr().out
    assert launcher.run(settings_for(tmp_path, SYSOPS_MONOLITH="retired")) == 0
    assert served == ["retired"] and not finished  # retired before: straight to running without it
    monkeypatch.setattr(launcher, "retirement_record", lambda _settings: None)
    assert launcher.run(settings_for(tmp_path, SYSOPS_MONOLITH="retired")) == 0
    assert finished == [("migrating", "shell")] and served == ["retired", "retired"]


def test_the_bridge_alone_is_watched_before_the_switch_off_and_never_run_after_it(tmp_path, monkeypatch, capsys):
    watched = {spec.name for spec in launcher.process_specs(
        settings_for(tmp_path, SYSOPS_MONOLITH="retired", SYSOPS_WATCH_BRIDGE="1"))}
    retired = {spec.name for spec in launcher.process_specs(settings_for(tmp_path, SYSOPS_MONOLITH="retired"))}
    assert watched - retired == {"bridge"} and "outbox-worker" not in watched and "shell_app" in watched
    served = []
    monkeypatch.setattr(launcher, "serve", lambda settings, *_: served.append(settings.watch_bridge) or 0)
    monkeypatch.setattr(launcher, "retirement_record",
                        lambda _settings: {"at": "2026-12-05T09:00:00", "decommissioned": {"at": "2026-12-06T09:00:00"}})
    assert launcher.run(settings_for(tmp_path, SYSOPS_MONOLITH="retired", SYSOPS_WATCH_BRIDGE="1")) == 0
    assert served == [False] and "decommissioned" in capsys.readouterr().out


def test_once_decommissioned_the_bridges_address_is_the_tombstones(tmp_path):
    specs = {spec.name: spec for spec in launcher.process_specs(settings_for(
        tmp_path, SYSOPS_MONOLITH="retired", SYSOPS_WATCH_BRIDGE="1", SYSOPS_DECOMMISSIONED_AT="2026-12-06T09:00:00"))}
    assert "bridge" not in specs and "outbox-worker" not in specs
    assert specs["bridge-gone"].argv[-1] == "bridge_api.gone:create_gone()"
    assert specs["bridge-gone"].env["SYSOPS_DECOMMISSIONED_AT"] == "2026-12-06T09:00:00"
