"""One contract for the ticketing ports (Tickets, Offers, Surveys), run against the in-memory fake the
fast tests use and against the graph adapters on both backends (FalkorDB, and the Bolt backend over the
real wire protocol): what the use cases rely on holds for each, so a fast test proves what production
does."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pytest

from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.domain.ranking import rank
from fragments.ticketing.domain.states import AllocationState, State
from fragments.ticketing.services.ports import SlotTaken, StaleTicket, TicketingStores, TicketNotFound
from graph_store.backends.falkordb_backend import FalkorBackend
from sysops.graph_data import SCHEMA
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.memory_ticket_store import MemoryTicketStore

NOW = dt.datetime(2026, 11, 25, 10, 0)
MONDAY_MORNING, MONDAY_EVENING = dt.datetime(2026, 11, 30, 8, 0), dt.datetime(2026, 11, 30, 16, 0)
PRODUCT, LOCALE = 5, 2


@dataclass
class World:
    stores: TicketingStores
    add_expert: Callable[[int, list[str]], None]  # (expert id, weekly "<weekday>:<period>") with the skill


def _graph_world(backend) -> World:
    def add_expert(expert_id: int, weekly: list[str]) -> None:
        backend.write("MERGE (x:Expert {id: $id}) SET x.active = true, x.weekly = $weekly, x.off_dates = [], "
                      "x.first_name = 'Ex', x.last_name = toString($id) "
                      "MERGE (e:Expertise {product_id: $product}) MERGE (l:Locale {id: $locale}) "
                      "MERGE (x)-[:HAS_EXPERTISE {level: 3}]->(e) MERGE (x)-[:SERVICES]->(l)",
                      {"id": expert_id, "weekly": weekly, "product": PRODUCT, "locale": LOCALE})

    return World(graph_stores(backend, FakeBridgeClient()), add_expert)


@pytest.fixture(params=["memory", "falkordb", "bolt"])
def world(request):
    if request.param == "memory":
        memory = MemoryTicketStore()
        yield World(memory.ports(), lambda expert_id, weekly: memory.add_expert(
            expert_id, products={PRODUCT}, locales={LOCALE}, weekly=set(weekly)))
        return
    if request.param == "bolt":
        backend = request.getfixturevalue("bolt_backend")
        backend.clear()
        backend.ensure_schema(SCHEMA)
        yield _graph_world(backend)
        backend.clear()
        return
    server = request.getfixturevalue("falkor_server")
    backend = FalkorBackend(graph=f"contract-{request.node.name[-40:]}", unix_socket_path=str(server.socket_path))
    backend.clear()
    backend.ensure_schema(SCHEMA)
    try:
        yield _graph_world(backend)
    finally:
        backend.clear()
        backend.close()


def raise_one(world: World, customer_id: int = 7, key: str | None = None, at: dt.datetime = NOW):
    return world.stores.tickets.create(customer_id=customer_id, contract_id=70, product_id=PRODUCT, locale_id=LOCALE,
                                       description="Printer jams", slots=[MONDAY_MORNING.isoformat()],
                                       channel="phone", actor="callcentre", now=at, raise_key=key)


def test_a_raised_ticket_reads_back_as_stored_and_a_raise_key_raises_it_once(world):
    tickets = world.stores.tickets
    ticket = raise_one(world, key="contract-raise-0001")
    assert ticket.status == State.NEW and ticket.revision == 1 and [e["action"] for e in ticket.history] == ["created"]
    read = tickets.get(ticket.id)
    assert (read.id, read.status, read.customer_id, read.slots, read.description) == (
        ticket.id, "new", 7, [MONDAY_MORNING.isoformat()], "Printer jams")
    assert raise_one(world, key="contract-raise-0001").id == ticket.id
    assert raise_one(world, key="contract-raise-0002").id != ticket.id


def test_save_writes_each_change_with_its_event_and_answers_the_ticket_as_read_back(world):
    tickets = world.stores.tickets
    ticket = raise_one(world)
    ticket.add_note("Customer called back", "callcentre")
    saved = tickets.save(ticket, NOW)
    read = tickets.get(ticket.id)
    assert saved.revision == read.revision == 2 and not saved.pending
    assert [e["action"] for e in saved.history] == [e["action"] for e in read.history] == ["created", "note"]
    assert saved.history[-1]["detail"] == read.history[-1]["detail"] == "Customer called back"


def test_a_change_made_at_an_old_revision_is_refused_and_an_unknown_ticket_is_not_found(world):
    tickets = world.stores.tickets
    ticket = raise_one(world)
    stale = tickets.get(ticket.id)
    ticket.add_note("first", "cc")
    tickets.save(ticket, NOW)
    stale.describe_problem("Printer jams and smokes", "cc", expected_revision=1)
    with pytest.raises(StaleTicket):
        tickets.save(stale, NOW)
    with pytest.raises(TicketNotFound):
        tickets.get(999_999_999)


def test_lists_are_newest_first_and_many_reads_whole_tickets_in_the_order_asked(world):
    tickets = world.stores.tickets
    first, second = raise_one(world, at=NOW), raise_one(world, at=NOW + dt.timedelta(minutes=1))
    other = raise_one(world, customer_id=8)
    assert [t.id for t in tickets.list(customer_id=7)] == [second.id, first.id]
    listed = tickets.list(customer_id=7, summary=True)
    assert [t.id for t in listed] == [second.id, first.id] and not listed[0].whole
    assert [t.id for t in tickets.list(statuses=[State.NEW], limit=10)] == [second.id, other.id, first.id]
    whole = tickets.many([first.id, 999_999_999, other.id])
    assert [t.id for t in whole] == [first.id, other.id] and all(t.whole and t.history for t in whole)
    assert tickets.waiting()[:3] == [first.id, second.id, other.id]


def test_a_customers_version_moves_with_a_write_to_their_tickets_only(world):
    tickets = world.stores.tickets
    ticket = raise_one(world)
    before = tickets.customer_version(7)
    assert tickets.customer_version(7) == before
    raise_one(world, customer_id=8)
    assert tickets.customer_version(7) == before
    ticket.add_note("noted", "cc")
    tickets.save(ticket, NOW)
    assert tickets.customer_version(7) != before


def test_candidates_are_the_qualified_and_free_and_an_offer_holds_its_slot(world):
    offers = world.stores.offers
    world.add_expert(901, ["0:morning", "0:evening"])
    world.add_expert(902, ["1:morning"])  # works Tuesdays
    first, second = raise_one(world), raise_one(world)
    found = rank(offers.candidates(product_id=PRODUCT, locale_id=LOCALE, slots=[MONDAY_MORNING], now=NOW, exclude=[]))
    assert [(c.expert_id, list(c.free_slots)) for c in found] == [(901, [MONDAY_MORNING.isoformat()])]
    offers.offer(ticket_id=first.id, expert_id=901, starts_at=MONDAY_MORNING.isoformat(), now=NOW,
                 expires_at=NOW + dt.timedelta(minutes=15))
    assert world.stores.tickets.get(first.id).status == State.OFFERED
    with pytest.raises(SlotTaken):
        offers.offer(ticket_id=second.id, expert_id=901, starts_at=MONDAY_MORNING.isoformat(), now=NOW,
                     expires_at=NOW + dt.timedelta(minutes=15))
    with pytest.raises(StaleTicket):  # offered already: not waiting for an offer
        offers.offer(ticket_id=first.id, expert_id=901, starts_at=MONDAY_EVENING.isoformat(), now=NOW,
                     expires_at=NOW + dt.timedelta(minutes=15))
    assert offers.candidates(product_id=PRODUCT, locale_id=LOCALE, slots=[MONDAY_MORNING], now=NOW, exclude=[]) == []
    assert offers.expert_names([901])  # a name to show for the offered expert


def test_an_offer_closes_once_accepted_books_refused_frees_and_expiry_makes_it_due(world):
    offers, tickets = world.stores.offers, world.stores.tickets
    world.add_expert(901, ["0:morning", "0:evening"])
    accepted, refused = raise_one(world), raise_one(world)
    morning, evening = MONDAY_MORNING.isoformat(), MONDAY_EVENING.isoformat()
    offers.offer(ticket_id=accepted.id, expert_id=901, starts_at=morning, now=NOW, expires_at=NOW)
    offers.offer(ticket_id=refused.id, expert_id=901, starts_at=evening, now=NOW,
                 expires_at=NOW + dt.timedelta(minutes=15))
    assert [d["ticket_id"] for d in offers.due_offers(NOW)] == [accepted.id]
    assert offers.close_offer(ticket_id=accepted.id, expert_id=901, starts_at=morning,
                              outcome=AllocationState.ACCEPTED, actor="expert901", now=NOW)
    assert tickets.get(accepted.id).status == State.ASSIGNED
    assert offers.close_offer(ticket_id=refused.id, expert_id=901, starts_at=evening, outcome=AllocationState.REFUSED,
                              actor="expert901", now=NOW, reason="too far")
    assert tickets.get(refused.id).status == State.UNASSIGNED
    assert not offers.close_offer(ticket_id=refused.id, expert_id=901, starts_at=evening,
                                  outcome=AllocationState.ACCEPTED, actor="expert901", now=NOW)  # late: nothing
    assert offers.due_offers(NOW + dt.timedelta(hours=1)) == []
    free = offers.candidates(product_id=PRODUCT, locale_id=LOCALE, slots=[MONDAY_EVENING], now=NOW, exclude=[])
    assert [c.expert_id for c in free] == [901]  # the refused offer's slot is free again
    assert offers.release_bookings(expert_id=901, ticket_id=accepted.id)
    assert not offers.release_bookings(expert_id=901, ticket_id=accepted.id)


def test_a_survey_is_answered_once_and_keeps_its_template_version_and_answers(world):
    surveys = world.stores.surveys
    world.add_expert(901, ["0:morning"])
    ticket = raise_one(world)
    assert surveys.find(ticket.id) is None
    answers = [{"position": 1, "score": 4}, {"position": 2, "text": "fine"}]
    assert surveys.record(ticket_id=ticket.id, expert_id=901, customer_id=7, score=4, comment="fine", now=NOW,
                          template="post-visit", version=2, answers=answers)
    assert not surveys.record(ticket_id=ticket.id, expert_id=901, customer_id=7, score=1, comment="again", now=NOW,
                              template="post-visit", version=3, answers=[{"position": 1, "score": 1}])
    found = surveys.find(ticket.id)
    assert (found["score"], found["comment"], found["expert_id"]) == (4, "fine", 901)
    assert (found["template"], found["template_version"], found["answers"]) == ("post-visit", 2, answers)
    assert surveys.answer_counts("post-visit") == {2: 1} and surveys.answer_counts("legacy-1") == {}
    assert surveys.sent_with(ticket.id) is None


def test_a_template_version_is_written_once(world):
    surveys = world.stores.surveys
    assert surveys.versions("post-visit") == [] and surveys.version("post-visit", 1) is None
    first = {"key": "post-visit", "version": 1, "name": "Post-visit survey", "in_force_from": None,
             "source": "built-in", "published_by": None,
             "questions": [{"position": 1, "text": "How satisfied are you?", "kind": "score"}]}
    second = {**first, "version": 2, "in_force_from": "2026-11-25T10:00:00", "source": "manager", "published_by": "mgr",
              "questions": [*first["questions"], {"position": 2, "text": "Was it fixed?", "kind": "score"}]}
    assert surveys.publish(first) and surveys.publish(second)
    assert not surveys.publish({**second, "published_by": "another manager"})
    assert surveys.versions("post-visit") == [first, second]
    assert surveys.version("post-visit", 2) == second and surveys.versions("other") == []


def test_visits_in_a_window_and_ending_a_booking_frees_its_slot(world):
    offers, tickets = world.stores.offers, world.stores.tickets
    world.add_expert(901, ["0:morning", "0:evening"])
    booked, offered = raise_one(world), raise_one(world)
    morning, evening = MONDAY_MORNING.isoformat(), MONDAY_EVENING.isoformat()
    offers.offer(ticket_id=booked.id, expert_id=901, starts_at=morning, now=NOW, expires_at=NOW)
    offers.close_offer(ticket_id=booked.id, expert_id=901, starts_at=morning, outcome=AllocationState.ACCEPTED,
                       actor="expert901", now=NOW)
    offers.offer(ticket_id=offered.id, expert_id=901, starts_at=evening, now=NOW, expires_at=NOW)
    visits = offers.visits_between(MONDAY_MORNING, MONDAY_EVENING + dt.timedelta(hours=1))
    assert [(v["ticket_id"], v["state"], v["slot"], v["customer_id"]) for v in visits] == [
        (booked.id, "accepted", morning, 7), (offered.id, "offered", evening, 7)]
    assert offers.visits_between(MONDAY_MORNING + dt.timedelta(minutes=1), MONDAY_EVENING) == []
    assert offers.double_bookings(NOW) == []
    assert offers.end_bookings(ticket_id=booked.id, actor="staff", now=NOW, reason="at risk") == [901]
    assert tickets.get(booked.id).booking() is None
    free = offers.candidates(product_id=PRODUCT, locale_id=LOCALE, slots=[MONDAY_MORNING], now=NOW, exclude=[])
    assert [c.expert_id for c in free] == [901]


def test_a_link_is_claimed_once(world):
    links = world.stores.links
    assert not links.used("jti-1")
    assert links.claim("jti-1", "confirm", 1, NOW) and not links.claim("jti-1", "confirm", 1, NOW)
    assert links.used("jti-1") and not links.used("jti-2")
