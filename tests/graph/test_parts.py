"""`sysops parts` (issue 29): each part of the monolith's state, judged by its counts and its last
reconciliation, over the real bridge on a database of this test's own: in the monolith before anything
moves, migrating once copies are taken but not reconciled, cut over when every record moved and the
reconciliation by checksum found nothing, retired once the monolith is."""
from __future__ import annotations

import itertools

import pytest

from fragments.customers.adapters.bills import reconcile_bills
from fragments.ticketing.adapters.survey_templates import reconcile_templates, take_legacy_templates
from graph_store import retirement
from sysops.graph_data import GraphData
from sysops.parts import HEADER, NAMES, survey

from .conftest import own_legacy_system

_graphs = itertools.count()


@pytest.fixture
def store(falkor_server, fresh_database_url):
    url = fresh_database_url("sqlite")
    with own_legacy_system(falkor_server, url, seed=53, service="backfill") as (backend, bridge, _):
        yield GraphData(backend, bridge), url


def states(store, url) -> dict[str, str]:
    return {part.name: part.state for part in survey(store, url)}


def test_each_part_is_in_the_monolith_then_migrating_then_cut_over_then_retired(store):
    data, url = store
    found = survey(data, url)
    assert [p.name for p in found] == [name for name, _ in NAMES]
    assert {p.state for p in found} == {"in the monolith"}
    assert all(p.left == p.legacy and p.moved == 0 and p.findings is None for p in found if p.name != "notifications")
    assert found[0].line().startswith("tickets") and HEADER.startswith("part")
    take_legacy_templates(data.backend, data.bridge)
    data.take_customers()  # the catalogue, the customers, then their bills
    now = states(data, url)
    assert (now["surveys"], now["billing"], now["customers and catalogue"]) == ("migrating",) * 3  # never reconciled
    assert now["tickets"] == "in the monolith"
    assert reconcile_templates(data.backend, data.bridge).ok and reconcile_bills(data.backend, data.bridge).ok
    now = states(data, url)
    assert (now["surveys"], now["billing"]) == ("cut over", "cut over")
    billing = next(p for p in survey(data, url) if p.name == "billing")
    assert billing.left == 0 and billing.moved == billing.legacy > 0 and billing.findings == 0
    retirement.retire(data.backend, "2026-12-05T12:00:00", {})
    assert set(states(data, None).values()) == {"retired"}
