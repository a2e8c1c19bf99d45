"""graph_store contract, part 2: expert profiles and assignment support, on both backends."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from fragments.ticketing.domain.ranking import rank
from fragments.ticketing.services.ports import SlotTaken

NOW = dt.datetime(2026, 11, 25, 10, 0)
MONDAY_MORNING = dt.datetime(2026, 11, 30, 8, 0)  # a Monday
MONDAY_EVENING = dt.datetime(2026, 11, 30, 16, 0)


def expert(expert_id: int, products=(5,), locales=(2,), weekly=((0, "morning"), (0, "evening")), time_off=()) -> dict:
    return {"id": expert_id, "employee_number": f"E{expert_id:05d}", "first_name": "Ex", "last_name": str(expert_id),
            "active": True, "skills": [{"product_id": p, "level": "senior"} for p in products],
            "locale_ids": list(locales), "weekly_availability": [{"weekday": d, "period": p} for d, p in weekly],
            "time_off": [{"start_date": a, "end_date": b, "reason": "leave"} for a, b in time_off]}


def new_ticket(store, product_id=5, locale_id=2) -> int:
    return store.tickets.create(customer_id=1, contract_id=1, product_id=product_id, locale_id=locale_id,
                                description="Broken", slots=[MONDAY_MORNING.isoformat()], channel="phone",
                                actor="call_centre:callcentre", now=NOW).id


def candidates(store, slots=(MONDAY_MORNING,), exclude=()):
    """Best first, in the domain's one order (the store answers unordered)."""
    found = store.offers.candidates(product_id=5, locale_id=2, slots=list(slots), now=NOW, exclude=list(exclude))
    return [{"expert_id": c.expert_id, "free_slots": list(c.free_slots)} for c in rank(found)]


@pytest.fixture
def experts(store):
    today = NOW.date()
    store.experts.import_profile(expert(901), today)
    store.experts.import_profile(expert(902, time_off=[("2026-11-30", "2026-12-01")]), today)  # on leave Monday
    store.experts.import_profile(expert(903, locales=(9,)), today)  # serves another locale
    store.experts.import_profile(expert(904, products=(6,)), today)  # other skill
    store.experts.import_profile(expert(905, weekly=((1, "morning"),)), today)  # works Tuesdays
    store.experts.import_profile(expert(906), today)
    return store


def test_candidates_have_the_skill_the_locale_and_a_free_chosen_slot(experts):
    found = candidates(experts)
    assert [c["expert_id"] for c in found] == [901, 906]
    assert found[0]["free_slots"] == [MONDAY_MORNING.isoformat()]


def test_ranking_prefers_lower_load_then_better_score_then_longest_wait(experts):
    experts.experts.set_score(906, 4.8, answers=10)
    assert [c["expert_id"] for c in candidates(experts)] == [906, 901]
    other = new_ticket(experts)
    experts.offers.offer(ticket_id=other, expert_id=906, starts_at=MONDAY_EVENING.isoformat(), now=NOW,
                             expires_at=NOW + dt.timedelta(minutes=15))
    assert [c["expert_id"] for c in candidates(experts)] == [901, 906]  # 906 now carries a booking


def test_profile_import_is_create_only_and_edits_take_effect_at_once(experts):
    assert experts.experts.import_profile(expert(901, products=(7,)), NOW.date()) is False
    assert [s["product_id"] for s in experts.experts.get(901)["skills"]] == [5]
    experts.experts.set_skills(901, [{"product_id": 6, "level": "junior"}])
    experts.experts.set_locales(906, [9])
    assert candidates(experts) == []
    experts.experts.set_availability(905, ["0:morning"], [])
    experts.experts.set_locales(905, [2])
    assert [c["expert_id"] for c in candidates(experts)] == [905]


def test_an_offer_holds_the_slot_and_nobody_else_can_take_it(experts):
    first, second = new_ticket(experts), new_ticket(experts)
    slot = MONDAY_MORNING.isoformat()
    experts.offers.offer(ticket_id=first, expert_id=901, starts_at=slot, now=NOW,
                             expires_at=NOW + dt.timedelta(minutes=15))
    ticket = experts.get_ticket(first)
    assert ticket["status"] == "offered" and ticket["allocations"][0]["state"] == "offered"
    with pytest.raises(SlotTaken):
        experts.offers.offer(ticket_id=second, expert_id=901, starts_at=slot, now=NOW,
                                 expires_at=NOW + dt.timedelta(minutes=15))
    assert 901 not in [c["expert_id"] for c in candidates(experts)]


def test_concurrent_offers_for_one_expert_slot_never_double_book(experts):
    tickets = [new_ticket(experts) for _ in range(8)]
    slot, won, lost = MONDAY_MORNING.isoformat(), [], []

    def offer(ticket_id):
        try:
            experts.offers.offer(ticket_id=ticket_id, expert_id=901, starts_at=slot, now=NOW,
                                     expires_at=NOW + dt.timedelta(minutes=15))
            won.append(ticket_id)
        except SlotTaken:
            lost.append(ticket_id)

    threads = [threading.Thread(target=offer, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(lost) == 7
    assert [b["ticket_id"] for b in experts.offers.bookings(901)] == won


def test_accept_books_refuse_frees_and_a_late_answer_changes_nothing(experts):
    slot = MONDAY_MORNING.isoformat()
    accepted, refused = new_ticket(experts), new_ticket(experts)
    experts.offers.offer(ticket_id=accepted, expert_id=901, starts_at=slot, now=NOW, expires_at=NOW)
    assert experts.offers.close_offer(ticket_id=accepted, expert_id=901, starts_at=slot, outcome="accepted",
                                          actor="expert:expert901", now=NOW)
    assert experts.get_ticket(accepted)["status"] == "assigned"
    assert [b["state"] for b in experts.offers.bookings(901)] == ["booked"]
    experts.offers.offer(ticket_id=refused, expert_id=906, starts_at=slot, now=NOW, expires_at=NOW)
    assert experts.offers.close_offer(ticket_id=refused, expert_id=906, starts_at=slot, outcome="refused",
                                          actor="expert:expert906", now=NOW, reason="too far")
    ticket = experts.get_ticket(refused)
    assert ticket["status"] == "unassigned" and "too far" in ticket["history"][-1]["detail"]
    assert experts.offers.bookings(906) == []
    assert not experts.offers.close_offer(ticket_id=refused, expert_id=906, starts_at=slot, outcome="accepted",
                                              actor="expert:expert906", now=NOW)
    assert experts.offers.release_bookings(expert_id=901, ticket_id=accepted)
    assert experts.offers.bookings(901) == []


def test_expired_offers_are_due_for_the_timer_worker(experts):
    slot = MONDAY_MORNING.isoformat()
    ticket = new_ticket(experts)
    experts.offers.offer(ticket_id=ticket, expert_id=901, starts_at=slot, now=NOW,
                             expires_at=NOW + dt.timedelta(minutes=15))
    assert experts.offers.due_offers(NOW + dt.timedelta(minutes=14)) == []
    due = experts.offers.due_offers(NOW + dt.timedelta(minutes=15))
    assert [(d["ticket_id"], d["expert_id"], d["starts_at"]) for d in due] == [(ticket, 901, slot)]
    experts.offers.close_offer(ticket_id=ticket, expert_id=901, starts_at=slot, outcome="timed_out",
                                   actor="system:timer", now=NOW + dt.timedelta(minutes=15))
    assert experts.offers.due_offers(NOW + dt.timedelta(hours=1)) == []
    assert experts.get_ticket(ticket)["status"] == "unassigned"


def test_expert_profiles_import_from_the_legacy_system_through_the_bridge(store):
    imported = store.experts.import_all(store.bridge, NOW.date())
    legacy = list(store.bridge.experts())
    assert imported == len(legacy)
    first = legacy[0]
    graph = store.experts.get(first["id"])
    assert [s["product_id"] for s in graph["skills"]] == sorted(s["product_id"] for s in first["skills"])
    assert graph["locale_ids"] == sorted(first["locale_ids"])
    assert store.experts.import_all(store.bridge, NOW.date()) == 0
