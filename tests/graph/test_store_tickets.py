"""graph_store contract, part 1: tickets and migrate-on-read. Runs on FalkorDB (RESP) and over Bolt."""
from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest

from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from fragments.ticketing.adapters.migration import MAPPING_VERSION
from fragments.ticketing.adapters.offers import CLOSE_OFFER, OFFER
from fragments.ticketing.adapters.tickets import UPDATE_TICKET, create_ticket
from fragments.ticketing.domain.ticket import Ticket
from fragments.ticketing.services.ports import LegacyUnavailable as MigrationUnavailable
from fragments.ticketing.services.ports import StaleTicket, TicketNotFound
from graph_store.writes import sets_after_creation
from sysops.graph_data import GraphData

from ..support.keys import mint
from ..support.processes import free_port
from .conftest import bridge_client

NOW = dt.datetime(2026, 11, 25, 10, 0)
# Each test takes its own legacy tickets: they are marked migrated in the shared legacy database.
_legacy_ids = itertools.count(1)


def legacy_id() -> int:
    return next(_legacy_ids)


def count(store: GraphData, query: str, **params) -> int:
    return store.backend.read(query, params)[0]["n"]


def test_new_ticket_is_created_read_updated_and_listed(store):
    ticket_id = store.tickets.create(customer_id=1, contract_id=1, product_id=3, locale_id=2,
                                     description="Screen flickers", slots=["2026-11-27T08:00:00"], channel="web",
                                     actor="customer:customer1", now=NOW).id
    assert ticket_id > 100_000_000
    ticket = store.get_ticket(ticket_id)
    assert (ticket["reference"], ticket["status"], ticket["source"]) == (f"N-{ticket_id}", "new", "new")
    assert [e["action"] for e in ticket["history"]] == ["created"]
    saved = store.tickets.update(ticket_id, changes={"status": "unassigned"}, actor="system", action="status",
                                 detail="no candidate", now=NOW, expected_revision=1)
    assert saved["revision"] == 2
    with pytest.raises(StaleTicket):
        store.tickets.update(ticket_id, changes={"status": "cancelled"}, actor="x", action="status", detail="",
                             now=NOW, expected_revision=1)
    store.tickets.update(ticket_id, changes={}, actor="call_centre:callcentre", action="note",
                         detail="Customer called", now=NOW)
    ticket = store.get_ticket(ticket_id)
    assert [e["seq"] for e in ticket["history"]] == [1, 2, 3] and ticket["status"] == "unassigned"
    assert ticket_id in [t["id"] for t in store.tickets.list(customer_id=1)]
    assert ticket_id in [t["id"] for t in store.tickets.list(statuses=["unassigned"])]
    assert ticket_id not in [t["id"] for t in store.tickets.list(customer_id=2)]
    whole, listed = store.tickets.list(customer_id=1), store.tickets.list(customer_id=1, summary=True)
    assert [t["id"] for t in listed] == [t["id"] for t in whole]  # the same tickets in the same order
    mine = next(t for t in listed if t["id"] == ticket_id)
    shown = ("reference", "status", "slots", "created_at")
    assert mine.description is None and not mine.whole and {k: mine[k] for k in shown} == {
        k: ticket[k] for k in ("reference", "status", "slots", "created_at")}
    store.tickets.link_article(ticket_id, 7, "Screen flicker fix", actor="expert:expert1", now=NOW)
    assert [a["id"] for a in store.tickets.articles(ticket_id)] == [7]
    assert store.articles.get(7)["source"] == "legacy"  # the knowledge base takes the linked article over
    with pytest.raises(TicketNotFound):
        store.tickets.update(999_999_999, changes={}, actor="x", action="note", detail="", now=NOW)


def test_first_read_migrates_a_legacy_ticket_with_what_it_points_at(store):
    ticket_id = legacy_id()
    legacy = store.bridge.get_legacy_ticket(ticket_id)
    ticket = store.get_ticket(ticket_id)
    assert ticket["reference"] == legacy["reference"] and ticket["source"] == "legacy"
    assert ticket["source_checksum"] == legacy["checksum"] and ticket["mapping_version"] == MAPPING_VERSION
    assert ticket["migrated_via"] == "lazy"
    assert [e["detail"] for e in ticket["history"]] == [h["detail"] for h in legacy["history"]]
    assert ticket["slots"] == legacy["slots"]
    assert store.bridge.get_legacy_ticket(ticket_id)["migrated_at"] is not None
    related = store.backend.read(
        "MATCH (t:Ticket {id: $id})-[:RAISED_FOR]->(c:Customer), (t)-[:AGAINST]->(k:Contract)-[:APPLIES_TO]->"
        "(p:Product), (t)-[:LOCATED_IN]->(l:Locale), (c)-[:SUBSCRIBES_TO]->(k) "
        "RETURN c.id AS customer, k.id AS contract, p.id AS product, l.id AS locale", {"id": ticket_id})
    assert related == [{"customer": legacy["customer_id"], "contract": legacy["contract_id"],
                        "product": legacy["product_id"], "locale": legacy["locale_id"]}]


def test_many_concurrent_readers_produce_exactly_one_subgraph(store, live_bridge):
    ticket_id = legacy_id()
    errors, results = [], []

    def read():
        bridge = bridge_client(live_bridge)
        try:
            results.append(GraphData(store.backend, bridge).get_ticket(ticket_id)["id"])
        except Exception as exc:  # any error is a failure of the test
            errors.append(exc)
        finally:
            bridge.close()

    threads = [threading.Thread(target=read) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [ticket_id] * 12
    history = len(store.bridge.get_legacy_ticket(ticket_id)["history"])
    assert count(store, "MATCH (t:Ticket {id: $id}) RETURN count(t) AS n", id=ticket_id) == 1
    assert count(store, "MATCH (:Ticket {id: $id})-[:HAS_EVENT]->(e) RETURN count(e) AS n", id=ticket_id) == history
    assert count(store, "MATCH (:Ticket {id: $id})-[r:RAISED_FOR]->() RETURN count(r) AS n", id=ticket_id) == 1


def test_a_replayed_migration_never_overwrites_a_graph_edit(store):
    ticket_id = legacy_id()
    store.get_ticket(ticket_id)
    store.tickets.update(ticket_id, changes={"status": "cancelled", "description": "edited in the graph"},
                         actor="call_centre:callcentre", action="status", detail="cancelled", now=NOW)
    assert store.tickets.migration.migrate(ticket_id, via="backfill") is False  # late or replayed: writes nothing
    ticket = store.get_ticket(ticket_id)
    assert (ticket["status"], ticket["description"], ticket["migrated_via"]) == ("cancelled", "edited in the graph",
                                                                                 "lazy")
    legacy_events = len(store.bridge.get_legacy_ticket(ticket_id)["history"])
    assert len(ticket["history"]) == legacy_events + 1


def test_legacy_system_down_is_a_clean_error_and_leaves_no_node(graph_backend):
    dead = HttpBridgeClient(f"http://127.0.0.1:{free_port()}", lambda: mint(Principal("service", "ticketing"), "bridge"),
                            retries=1, backoff=0.01)
    with pytest.raises(MigrationUnavailable):
        GraphData(graph_backend, dead).get_ticket(5)
    assert graph_backend.read("MATCH (t:Ticket {id: 5}) RETURN count(t) AS n")[0]["n"] == 0


def test_unknown_tickets_are_not_found_and_leave_no_node(store):
    for missing in (999_999, 100_000_123):
        with pytest.raises(TicketNotFound):
            store.get_ticket(missing)
        assert count(store, "MATCH (t:Ticket {id: $id}) RETURN count(t) AS n", id=missing) == 0


def test_the_legacy_copy_is_frozen_before_the_graph_is_written_and_marked_after(store):
    ticket_id = legacy_id()
    assert store.bridge.get_legacy_ticket(ticket_id)["frozen_at"] is None
    store.get_ticket(ticket_id)
    legacy = store.bridge.get_legacy_ticket(ticket_id)
    assert legacy["frozen_at"] is not None and legacy["migrated_at"] is not None
    assert legacy["frozen_at"] <= legacy["migrated_at"]


def test_a_raise_key_creates_one_ticket_however_often_and_concurrently_it_is_sent(store):
    """A retry after an unknown outcome (the answer lost, the primary failed over) must not raise a
    second ticket: the key is merged in the same query that creates the ticket."""
    raise_ = dict(contract_id=1, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW)
    ids: list[int] = []
    threads = [threading.Thread(target=lambda: ids.append(store.tickets.create(customer_id=1, raise_key="k" * 20,
                                                                              **raise_).id)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and len(ids) == 6
    assert count(store, "MATCH (t:Ticket {customer_id: 1}) WHERE t.raise_key = $key RETURN count(t) AS n",
                 key="1/" + "k" * 20) == 1
    other_customer = store.tickets.create(customer_id=2, raise_key="k" * 20, **raise_).id
    unkeyed = [store.tickets.create(customer_id=1, **raise_).id for _ in range(2)]
    assert len({ids[0], other_customer, *unkeyed}) == 4


def test_a_plans_open_ticket_limit_holds_when_raises_race_for_the_last_place(store):
    """Six raises at once for a contract with one place left: one ticket, five refusals, in one query each."""
    from fragments.ticketing.services.ports import OpenTicketLimit

    raise_ = dict(customer_id=9, contract_id=90, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW, max_open=2)
    store.tickets.create(**raise_)
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            outcomes.append(store.tickets.create(**raise_).id)
        except OpenTicketLimit as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, int) for o in outcomes) == 1 and len(outcomes) == 6
    assert count(store, "MATCH (t:Ticket {customer_id: 9}) RETURN count(t) AS n") == 2
    assert store.tickets.create(**{**raise_, "contract_id": 91}).id  # another contract has its own places


def test_a_raise_answers_with_the_ticket_exactly_as_it_is_read_back(store):
    raise_ = dict(customer_id=1, contract_id=1, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW,
                  raise_key="answer-once-0001")
    created = store.tickets.create(**raise_)
    assert created == Ticket.from_record(store.tickets.record(created.id))
    assert store.tickets.create(**raise_) == created  # the same key: the first ticket, as read


def test_a_customers_version_moves_with_every_write_to_their_tickets_and_only_then(store):
    raise_ = dict(customer_id=41, contract_id=1, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW)
    empty = store.tickets.customer_version(41)
    first = store.tickets.create(**raise_).id
    created = store.tickets.customer_version(41)
    assert created != empty and store.tickets.customer_version(41) == created  # a read changes nothing
    store.tickets.update(first, changes={}, actor="cc", action="note", detail="called back", now=NOW)
    noted = store.tickets.customer_version(41)
    store.tickets.create(**{**raise_, "customer_id": 42})
    assert noted != created and store.tickets.customer_version(41) == noted  # another customer's ticket


def test_service_level_alerts_due_are_found_by_their_moment_and_marked_told(store):
    at = dt.datetime(2026, 11, 25, 13, 0)
    promises = {"accept_by": "2026-11-25T17:00:00", "visit_by": "2026-11-27T18:00:00",
                "sla_alerts": ["accept:50@2026-11-25T13:00:00", "accept:75@2026-11-25T15:00:00"],
                "next_alert_at": int(at.timestamp())}
    raise_ = dict(customer_id=1, contract_id=1, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW)
    ticket = store.tickets.create(**raise_, promises=promises)
    store.tickets.create(**raise_)  # no promises: never due
    assert store.tickets.alerts_due(at - dt.timedelta(minutes=1)) == []
    due, = store.tickets.alerts_due(at)
    assert due["id"] == ticket.id and due["sla_alerts"] == promises["sla_alerts"] and not due.get("sla_told")
    store.tickets.alerts_told(ticket.id, ["accept:50"], dt.datetime(2026, 11, 25, 15, 0))
    assert store.tickets.alerts_due(at) == []
    assert store.tickets.alerts_due(dt.datetime(2026, 11, 25, 15, 0))[0]["sla_told"] == ["accept:50"]
    store.tickets.alerts_told(ticket.id, ["accept:50", "accept:75"], None)
    assert store.tickets.alerts_due(dt.datetime(2026, 12, 31)) == []
    assert store.tickets.get(ticket.id).accept_by == "2026-11-25T17:00:00"


def test_a_wait_on_the_customer_is_stored_and_ended_with_the_moved_promises(store):
    at = dt.datetime(2026, 11, 25, 13, 0)
    promises = {"accept_by": "2026-11-25T17:00:00", "visit_by": "2026-11-27T18:00:00",
                "sla_alerts": ["accept:50@2026-11-25T13:00:00"], "next_alert_at": int(at.timestamp())}
    ticket = store.tickets.create(customer_id=1, contract_id=1, product_id=3, locale_id=2, description="No picture",
                                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW,
                                  promises=promises)
    ticket = store.tickets.get(ticket.id)
    ticket.status = "assigned"
    store.tickets.update(ticket.id, changes={"status": "assigned"}, actor="cc", action="assigned", detail="", now=NOW)
    ticket = store.tickets.get(ticket.id)
    ticket.wait_on_customer("cc", "the model number", NOW)
    store.tickets.save(ticket, NOW)
    waiting = store.tickets.get(ticket.id)
    assert waiting.waiting_since == NOW and waiting.breach_at() is None
    assert store.tickets.alerts_due(dt.datetime(2026, 12, 31)) == []  # no alert while waiting
    moved = {"accept_by": "2026-11-26T16:00:00", "visit_by": "2026-11-30T17:00:00",
             "sla_alerts": ["accept:50@2026-11-26T12:00:00"], "next_alert_at": int(dt.datetime(2026, 11, 26, 12).timestamp())}
    waiting.customer_answered("cc", dt.datetime(2026, 11, 26, 10), moved)
    store.tickets.save(waiting, dt.datetime(2026, 11, 26, 10))
    back = store.tickets.get(ticket.id)
    assert back.waiting_since is None and back.visit_by == "2026-11-30T17:00:00"
    assert [r["id"] for r in store.tickets.alerts_due(dt.datetime(2026, 11, 26, 12))] == [ticket.id]


@pytest.mark.parametrize("name", ["raise", "raise under a limit", "change", "offer", "offer closed"])
def test_the_raise_and_a_change_write_nothing_after_they_create(name):
    """FalkorDB runs a SET after a creation in the same query at a cost in proportion to the whole graph
    (ADR 0029; benchmarks/graph_indexes.py): a ticket's raise, changes and offers set first, then create."""
    query = {"raise": create_ticket(("created_day", "status"), False),
             "raise under a limit": create_ticket(("created_day", "status"), True),
             "change": UPDATE_TICKET, "offer": OFFER,
             "offer closed": CLOSE_OFFER}[name]
    once = ["ON CREATE SET"] if name.startswith("raise") else []  # the ticket counter's first value, once ever
    assert sets_after_creation(query) == once


def test_a_change_that_empties_several_properties_keeps_every_other(store):
    """FalkorDB 4.16 removes the wrong property when one SET removes two or more and one of them is the
    node's last (graph_store.writes): a rescheduled ticket lost its description that way. Each removal is
    now a SET of its own."""
    raise_ = dict(customer_id=51, contract_id=1, product_id=3, locale_id=2, description="Screen flickers",
                  slots=["2026-11-27T08:00:00"], channel="phone", actor="callcentre", now=NOW)
    ticket = store.tickets.create(**raise_)
    marks = {"alerted_at": "2026-11-26T09:00:00", "at_risk": "late", "on_my_way_at": "2026-11-27T07:40:00"}
    # Each added last, as the watch, staff and the expert's phone add them; one that stays in between.
    for name, value in [*list(marks.items())[:2], ("reopened_count", 1), list(marks.items())[2]]:
        store.tickets.update(ticket.id, changes={name: value}, actor="system", action="mark", detail=name, now=NOW)
    before = store.tickets.record(ticket.id)
    store.tickets.update(ticket.id, changes={"slots": ["2026-11-30T08:00:00"], "alerted_at": None, "at_risk": None,
                                             "on_my_way_at": None, "visit_confirmed_at": None},
                         actor="callcentre", action="rescheduled", detail="new slots", now=NOW)
    after = store.tickets.record(ticket.id)
    moving = {"slots", "revision", "event_count", "report_version", "history"}  # what any change moves
    kept = {name for name in before if name not in marks and name not in moving}
    assert {name: after.get(name) for name in kept} == {name: before[name] for name in kept}
    assert not {name for name in marks if after.get(name) is not None}
    assert after["slots"] == ["2026-11-30T08:00:00"] and after["description"] == "Screen flickers"
