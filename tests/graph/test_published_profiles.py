"""The experts service's published profiles_v1, on both backends: what it promises its readers holds
for profiles the experts service writes through its own adapter."""
from __future__ import annotations

import datetime as dt

from fragments.experts.adapters.profiles import GraphProfiles
from fragments.experts.published import profiles_v1

TODAY = dt.date(2026, 11, 25)
MONDAY_MORNING = dt.datetime(2026, 11, 30, 8, 0)


def profile(expert_id: int, *, products=(5,), locales=(2,), active=True, off=()) -> dict:
    return {"id": expert_id, "employee_number": f"E{expert_id}", "first_name": "Ada", "last_name": f"N{expert_id}",
            "active": active, "skills": [{"product_id": p, "level": "senior"} for p in products],
            "locale_ids": list(locales), "weekly_availability": [{"weekday": 0, "period": "morning"}],
            "time_off": [{"start_date": a, "end_date": a, "reason": "leave"} for a in off]}


def test_qualified_and_free_at_find_exactly_the_experts_a_dispatch_may_offer(graph_backend):
    profiles = GraphProfiles(graph_backend)
    for expert in (profile(1), profile(2, products=(6,)), profile(3, locales=(9,)), profile(4, active=False),
                   profile(5, off=("2026-11-30",)), profile(6)):
        profiles.import_profile(expert, TODAY)
    rows = graph_backend.read(f"{profiles_v1.QUALIFIED} UNWIND $slots AS s WITH x, s WHERE {profiles_v1.FREE_AT} "
                              "RETURN x.id AS id ORDER BY id",
                              {"product_id": 5, "locale_id": 2, "slots": [profiles_v1.slot_facts(MONDAY_MORNING)]})
    assert [r["id"] for r in rows] == [1, 6]
    profiles.set_availability(6, ["1:morning"], [])  # the experts service changes a profile: readers see it
    rows = graph_backend.read(f"{profiles_v1.QUALIFIED} UNWIND $slots AS s WITH x, s WHERE {profiles_v1.FREE_AT} "
                              "RETURN x.id AS id ORDER BY id",
                              {"product_id": 5, "locale_id": 2, "slots": [profiles_v1.slot_facts(MONDAY_MORNING)]})
    assert [r["id"] for r in rows] == [1]


def test_names_roster_and_counts_read_what_the_experts_service_wrote(graph_backend):
    profiles = GraphProfiles(graph_backend)
    profiles.import_profile(profile(1), TODAY)
    profiles.import_profile(profile(2), TODAY)
    graph_backend.write("MERGE (:Expert {id: 3})")  # a reference node another service linked to
    assert profiles_v1.names(graph_backend, [2, 1, 99]) == {1: "Ada N1", 2: "Ada N2"}
    assert profiles_v1.names(graph_backend, []) == {}
    assert [(x["id"], x["last_name"]) for x in profiles_v1.roster(graph_backend)] == [(1, "N1"), (2, "N2"), (3, None)]
    assert profiles_v1.imported_count(graph_backend) == 2
    assert profiles_v1.contact(graph_backend, 1) == {"first_name": "Ada", "last_name": "N1", "email": "",
                                                     "phone": "", "active": True}
    assert profiles_v1.contact(graph_backend, 3) is None  # not a profile the experts service holds
    assert profiles_v1.slot_facts(MONDAY_MORNING) == {"starts_at": "2026-11-30T08:00:00", "date": "2026-11-30",
                                                      "pattern": "0:morning"}
