"""The ticketing service's published tickets_v1, on both backends: the rows the reports and the
knowledge base read, for tickets, offers and surveys ticketing writes through its own adapters."""
from __future__ import annotations

import datetime as dt

from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.domain.states import AllocationState
from fragments.ticketing.published import tickets_v1
from tests.support.fake_bridge import FakeBridgeClient

NOW = dt.datetime(2026, 11, 25, 10, 0)
SLOT = "2026-11-30T08:00:00"


def test_the_rows_others_read_follow_what_ticketing_wrote(graph_backend):
    stores = graph_stores(graph_backend, FakeBridgeClient())
    graph_backend.write("MERGE (x:Expert {id: 901}) SET x.first_name = 'Ex', x.last_name = '901'")
    rows = tickets_v1.TicketRows(graph_backend)
    waiting = stores.tickets.create(customer_id=7, contract_id=70, product_id=5, locale_id=2, description="Jams",
                                    slots=[SLOT], channel="phone", actor="cc", now=NOW)
    fixed = stores.tickets.create(customer_id=7, contract_id=70, product_id=5, locale_id=2, description="Smokes",
                                  slots=[SLOT], channel="web", actor="customer7", now=NOW,
                                  promises={"plan_id": 3, "accept_by": "2026-11-25T14:00:00",
                                            "visit_by": "2026-11-27T18:00:00"})
    day = NOW.date()
    version = graph_backend.read("MATCH (d:ReportDay {day: $d}) RETURN d.version AS v",
                                 {"d": tickets_v1.day_number(day)})[0]["v"]
    stores.offers.offer(ticket_id=fixed.id, expert_id=901, starts_at=SLOT, now=NOW, expires_at=NOW)
    stores.offers.close_offer(ticket_id=fixed.id, expert_id=901, starts_at=SLOT, outcome=AllocationState.ACCEPTED,
                              actor="expert901", now=NOW)
    stores.tickets.link_article(fixed.id, 31, "Cool it down", actor="expert901", now=NOW)
    graph_backend.write("MATCH (t:Ticket {id: $id}) SET t.status = 'closed', t.closed_at = $at",
                        {"id": fixed.id, "at": NOW.isoformat()})
    stores.surveys.record(ticket_id=fixed.id, expert_id=901, customer_id=7, score=5, comment="", now=NOW,
                          template="post-visit", version=1, answers=[{"position": 1, "score": 5}])

    raised = {t["id"]: t for t in rows.tickets_raised(day, day)}
    assert set(raised) == {waiting.id, fixed.id}
    assert raised[fixed.id]["allocations"][0]["state"] == "accepted" and raised[waiting.id]["allocations"] == []
    assert {k: raised[fixed.id][k] for k in ("customer_id", "contract_id", "plan_id", "accept_by", "visit_by",
                                              "waiting_since", "closed_at")} == {
        "customer_id": 7, "contract_id": 70, "plan_id": 3, "accept_by": "2026-11-25T14:00:00",
        "visit_by": "2026-11-27T18:00:00", "waiting_since": None, "closed_at": NOW.isoformat()}
    assert raised[waiting.id]["plan_id"] is None and raised[waiting.id]["accept_by"] is None
    assert [w["id"] for w in rows.waiting()] == [waiting.id] and rows.waiting_count() == 1
    assert rows.lost([s for s in ("new", "offered", "assigned", "unassigned", "in_progress", "closed",
                                  "cancelled")]) == []
    graph_backend.write("MERGE (x:Expert {id: 902}) SET x.first_name = 'Idle'")  # no slot, no score
    assert rows.expert_load([901, 902], NOW) == {901: {"load": 1, "score": 5.0, "answers": 1},
                                                 902: {"load": 0, "score": None, "answers": 0}}
    assert rows.expert_load(None, NOW) == {901: {"load": 1, "score": 5.0, "answers": 1}}  # those with either
    assert rows.fixes(5) == [{"description": "Smokes", "articles": [31], "score": 5}]
    assert rows.counts() == {"by_via": {}, "new": 2}
    later = graph_backend.read("MATCH (d:ReportDay {day: $d}) RETURN d.version AS v",
                               {"d": tickets_v1.day_number(day)})[0]["v"]
    assert later > version  # every write to a ticket moved its day's version
    # ... and stamped the ticket with it: a reader holding the day as of `version` reads only what changed
    changed, count = rows.tickets_changed(day, version)
    assert [t["id"] for t in changed] == [fixed.id] and count == 2
    assert version < changed[0]["report_version"] <= later and changed[0]["allocations"][0]["state"] == "accepted"
    assert {t["id"] for t in rows.tickets_changed(day, 0)[0]} == {waiting.id, fixed.id}
    assert rows.tickets_changed(day, later) == ([], 2)
    assert {t["id"]: t["report_version"] for t in rows.tickets_raised(day, day)} == \
        {t["id"]: t["report_version"] for t in rows.tickets_changed(day, 0)[0]}
    assert tickets_v1.open_tickets_about(graph_backend, 5) == 1  # the closed one no longer counts
    assert tickets_v1.open_tickets_about(graph_backend, 6) == 0


def test_a_legacy_ticket_is_mapped_as_the_migration_maps_it():
    assert tickets_v1.LEGACY_STATUS["open"] == "unassigned"
    assert tickets_v1.legacy_allocation("assigned", 4, None, "2026-11-01T09:00:00") == {
        "expert_id": 4, "accepted": True, "state": "accepted", "at": "2026-11-01T09:00:00"}
    assert tickets_v1.legacy_allocation("open", None, None, "2026-11-01T09:00:00") is None
