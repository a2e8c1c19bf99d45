"""One contract for the experts' ProfileStore port, on the in-memory fake the fast tests use and on the
graph adapter on both backends: what the profile page relies on holds for each."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.experts.adapters.profiles import GraphProfiles
from graph_store.backends.falkordb_backend import FalkorBackend
from sysops.graph_data import SCHEMA
from tests.support.memory_profiles import MemoryProfiles

TODAY = dt.date(2026, 11, 25)
IMPORTED = {"id": 7, "employee_number": "E7", "first_name": "Ada", "last_name": "N7", "active": True,
            "skills": [{"product_id": 12, "level": 2}, {"product_id": 11, "level": 4}], "locale_ids": [3, 1],
            "weekly_availability": [{"weekday": 3, "period": "morning"}], "time_off": []}


@pytest.fixture(params=["memory", "falkordb", "bolt"])
def profiles(request):
    if request.param == "memory":
        yield MemoryProfiles({7: {"skills": IMPORTED["skills"], "locale_ids": IMPORTED["locale_ids"],
                                  "weekly": ["3:morning"], "off_dates": []}})
        return
    if request.param == "bolt":
        backend = request.getfixturevalue("bolt_backend")
        backend.clear()
        backend.ensure_schema(SCHEMA)
        store = GraphProfiles(backend)
        store.import_profile(IMPORTED, TODAY)
        yield store
        backend.clear()
        return
    backend = FalkorBackend(graph="profiles-contract", unix_socket_path=str(request.getfixturevalue(
        "falkor_server").socket_path))
    backend.clear()
    backend.ensure_schema(SCHEMA)
    store = GraphProfiles(backend)
    store.import_profile(IMPORTED, TODAY)
    try:
        yield store
    finally:
        backend.clear()
        backend.close()


def test_a_profile_reads_back_skills_by_product_and_locales_in_order(profiles):
    found = profiles.get(7)
    assert found["skills"] == [{"product_id": 11, "level": 4}, {"product_id": 12, "level": 2}]
    assert found["locale_ids"] == [1, 3] and found["weekly"] == ["3:morning"] and found["off_dates"] == []
    assert profiles.get(999) is None


def test_each_change_replaces_what_it_names_and_nothing_else(profiles):
    profiles.set_skills(7, [{"product_id": 13, "level": 5}])
    profiles.set_locales(7, [2])
    profiles.set_availability(7, ["0:morning", "0:evening"], ["2026-12-24"])
    found = profiles.get(7)
    assert found["skills"] == [{"product_id": 13, "level": 5}] and found["locale_ids"] == [2]
    assert found["weekly"] == ["0:morning", "0:evening"] and found["off_dates"] == ["2026-12-24"]
