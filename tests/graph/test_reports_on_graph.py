"""The reports over a scenario played through the real ticketing services on a real graph (both
backends), checked against answers worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.reports.adapters.graph import GraphReportSource
from fragments.reports.domain.period import parse_period
from fragments.reports.services.reports import Reports
from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from sysops.graph_data import GraphData
from tests.support.clock import Clock as SetClock
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_catalogue import FakeCatalogue
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.fake_plan_terms import FakePlanTerms

T0 = dt.datetime(2026, 11, 2, 8, 0)  # a Monday; every slot below is on Tuesday 3 November
TUE_MORNING, TUE_AFTERNOON, TUE_EVENING = "2026-11-03 morning", "2026-11-03 afternoon", "2026-11-03 evening"


class Clock(SetClock[dt.datetime]):
    def at(self, hours: float):
        self.now = T0 + dt.timedelta(hours=hours)


class Source(GraphReportSource):
    def migration(self):  # no legacy system in this scenario
        return {"legacy_total": 0, "graph_migrated": 0, "remaining": 0, "percent_migrated": 100.0, "lazy": 0,
                "backfill": 0, "last_reconciliation": None}


@pytest.fixture
def scenario(graph_backend):
    bridge = FakeBridgeClient()
    bridge.product_list = [{"id": 50, "name": "Washer"}, {"id": 51, "name": "Drone"}]
    bridge.locale_list = [{"id": 1, "name": "English"}]
    bridge.customers[7] = {"id": 7, "locale": {"id": 1}, "notification_preference": "email"}
    bridge.contracts[7] = [{"id": 70, "status": "active", "start_date": "2026-01-01", "end_date": None,
                            "product_ids": [50, 51]}]
    graph = GraphData(graph_backend, bridge)
    for expert_id, weekly in ((901, ["1:morning", "1:afternoon", "1:evening"]), (902, ["1:morning", "1:afternoon"])):
        graph.experts.import_profile({"id": expert_id, "employee_number": f"E{expert_id}", "first_name": "Exp",
                                      "last_name": str(expert_id), "active": True, "weekly_availability": [
                                          {"weekday": int(w[0]), "period": w[2:]} for w in weekly],
                                      "time_off": [], "skills": [{"product_id": 50, "level": 3}], "locale_ids": [1]},
                                     T0.date())
    clock = Clock(T0)
    ticketing = build(graph_stores(graph.backend, bridge), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(bridge), clock=clock,
                      offer_timeout=dt.timedelta(hours=2))

    def raise_at(hours, product, slot):
        clock.at(hours)
        return ticketing.orchestrator.raise_ticket(RaiseRequest(7, product, "It broke down today", [slot], "phone",
                                                                "callcentre"))["id"]

    a = raise_at(0, 50, TUE_MORNING)                       # offered to 901 (tie on load and score: lower id)
    clock.at(1)
    ticketing.assignment.refuse(a, 901, "expert901", "Too far away")   # -> 902 until 3 h
    b = raise_at(2, 50, TUE_AFTERNOON)                     # 902 holds a slot already: 901 (less load), until 4 h
    clock.at(2.5)
    ticketing.assignment.accept(a, 902, "expert902")       # a: assigned 2.5 h after raising
    clock.at(4.5)
    assert ticketing.assignment.expire_due_offers() == 1   # 901 timed out on b -> 902
    clock.at(5)
    ticketing.assignment.accept(b, 902, "expert902")       # b: 3 h
    c = raise_at(5.5, 50, TUE_MORNING)                     # 902 is booked then: 901, left open
    d = raise_at(6, 51, TUE_MORNING)                       # nobody fixes drones: unassigned
    e = raise_at(7, 50, TUE_EVENING)                       # only 901 works evenings
    clock.at(8)
    ticketing.assignment.accept(e, 901, "expert901")
    clock.at(9)
    ticketing.orchestrator.close(e, 901, "expert901", "Replaced the belt")
    clock.at(9.5)
    ticketing.orchestrator.close(a, 902, "expert902", "Cleared the filter")
    clock.at(10)
    ticketing.orchestrator.reopen(e, "callcentre", "leaking again")  # 901 tried already, 902 no evenings
    clock.at(10.5)
    ticketing.surveys.answer(ticketing.management.get(a), {"answer-1": 4, "answer-2": "fine"})
    clock.at(11)
    reports = Reports(Source(graph.backend, graph.bridge), FakeCatalogue.of(bridge), clock, FakePlanTerms())
    return reports, {"a": a, "b": b, "c": c, "d": d, "e": e}


def rows(table):
    return {row[0]: row[1:] for row in table["rows"]}


def test_every_metric_matches_the_hand_worked_answer(scenario):
    reports, ids = scenario
    data = reports.build(parse_period("2026-11-02", "2026-11-02", T0.date()))
    tables = data["tables"]
    assert data["raised"] == 5 and data["raised_before"] == 0
    states = rows(tables["volume_state"])
    assert {k: v[0] for k, v in states.items() if v[0]} == {"closed": 1, "assigned": 1, "offered": 1, "unassigned": 2}
    assert rows(tables["volume_product"]) == {"Washer": [4, 0], "Drone": [1, 0]}
    assert rows(tables["volume_locale"]) == {"English": [5, 0]}
    # assign hours: a 2.5, b 3.0, e 1.0; close hours: a 9.5 (e was reopened, so it is not closed)
    assert rows(tables["times"]) == {"assign, median": ["2.5", ""], "assign, p90": ["3.0", ""],
                                     "close, median": ["9.5", ""], "close, p90": ["9.5", ""]}
    assert rows(tables["offers"]) == {"refused": [1, 0], "timed out": [1, 0], "re-offers": [2, 0],
                                      "reopened tickets": [1, 0]}
    waiting = {row[0]: row[1] for row in tables["unassigned"]["rows"]}
    assert waiting == {f"N-{ids['d']}": "unassigned", f"N-{ids['e']}": "unassigned"}
    assert tables["lost"]["rows"] == [] and data["lost_count"] == 0
    experts = {row[0]: row[1:] for row in tables["experts"]["rows"]}
    # name: load, offers, accepted, refused, timed out, rate, reasons, median close h, score, answers
    assert experts["Exp 901"] == [1, 4, 1, 1, 1, "33%", "Too far away (1)", "", "", 0]
    assert experts["Exp 902"] == [1, 2, 2, 0, 0, "100%", "", "9.5", "4.00", 1]


def test_a_ticket_in_no_visible_state_is_reported_lost(scenario, graph_backend):
    reports, ids = scenario
    graph_backend.write("MATCH (t:Ticket {id: $id}) SET t.status = 'limbo'", {"id": ids["d"]})
    graph_backend.write("MATCH (t:Ticket {id: $id}) SET t.status = 'offered'", {"id": ids["b"]})
    lost = reports.build(parse_period("2026-11-02", "2026-11-02", T0.date()))["tables"]["lost"]["rows"]
    assert sorted(lost) == sorted([[f"N-{ids['d']}", "limbo", "no visible state"],
                                   [f"N-{ids['b']}", "offered", "offered but no open offer"]])
