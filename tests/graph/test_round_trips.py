"""Reads that do not go back and forth, counted on the real stores (FalkorDB and the Bolt backend, the
monolith's bridge over HTTP): a staff note reads its ticket once; an expert's list of whole tickets is
one read of them, however many there are; a first view of a legacy ticket is one freeze that decides
access, and no preview."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.adapters.tickets import READ_TICKETS, UPDATE_TICKET
from fragments.ticketing.app import create_app
from fragments.ticketing.wiring import build
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.keys import KEYS_DIR, mint

from .conftest import bridge_client

NOW = dt.datetime(2026, 11, 25, 10, 0)
CSRF = "round-trip-csrf"


class CountingBackend:
    """The graph backend, with every query it was sent."""

    def __init__(self, backend):
        self._backend = backend
        self.sent: list[tuple[str, str]] = []

    def read(self, query: str, params: dict[str, Any] | None = None):
        self.sent.append(("read", query))
        return self._backend.read(query, params)

    def write(self, query: str, params: dict[str, Any] | None = None):
        self.sent.append(("write", query))
        return self._backend.write(query, params)

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    def ticket_reads(self) -> int:
        return sum(1 for kind, query in self.sent if kind == "read" and query == READ_TICKETS)


class CountingBridge:
    """The bridge client, with the name of every call made through it."""

    def __init__(self, bridge):
        self._bridge = bridge
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        found = getattr(self._bridge, name)
        if not callable(found):
            return found

        def call(*args, **kwargs):
            self.calls.append(name)
            return found(*args, **kwargs)

        return call


@pytest.fixture
def counted(graph_backend, live_bridge):
    backend, bridge = CountingBackend(graph_backend), CountingBridge(bridge_client(live_bridge))
    catalogue = FakeBridgeClient()  # the customers service's catalogue, as a fake: its reads are not counted here
    catalogue.product_list = [{"id": 5, "name": "Printer"}]
    ticketing = build(graph_stores(backend, bridge), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(catalogue), clock=lambda: NOW)
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, ticketing=ticketing)
    yield app.test_client(), ticketing, backend, bridge
    bridge._bridge.close()


def headers(principal: Principal) -> dict[str, str]:
    principal = replace(principal, csrf_digest=csrf_digest(CSRF))
    return {"Authorization": f"Bearer {mint(principal, 'fragment:ticketing')}", "X-CSRF-Token": CSRF,
            "HX-Request": "true"}


def raise_one(ticketing, customer_id: int = 7):
    return ticketing.stores.tickets.create(customer_id=customer_id, contract_id=70, product_id=5, locale_id=2,
                                           description="Printer jams", slots=["2026-11-30T08:00:00"],
                                           channel="phone", actor="callcentre", now=NOW)


def test_a_staff_note_reads_its_ticket_once_and_writes_it_once(counted):
    client, ticketing, backend, _ = counted
    ticket = raise_one(ticketing)
    backend.sent.clear()
    answer = client.post(f"/tickets/{ticket.id}/notes", data={"note": "Customer called back"},
                         headers=headers(Principal("user", "callcentre", "call_centre")))
    assert answer.status_code == 200 and "Customer called back" in answer.get_data(as_text=True)
    assert backend.ticket_reads() == 1
    assert [q for kind, q in backend.sent if kind == "write"] == [UPDATE_TICKET]


def test_an_experts_list_reads_their_whole_tickets_in_one_read_however_many(counted):
    client, ticketing, backend, _ = counted
    backend.write("MERGE (x:Expert {id: 950}) SET x.first_name = 'Ex', x.last_name = '950', x.active = true, "
                  "x.weekly = $weekly, x.off_dates = []",
                  {"weekly": [f"0:{p}" for p in ("morning", "afternoon", "evening")]})
    slots = ["2026-11-30T08:00:00", "2026-11-30T12:00:00", "2026-11-30T16:00:00"]
    for slot in slots:
        ticket = raise_one(ticketing)
        ticketing.stores.offers.offer(ticket_id=ticket.id, expert_id=950, starts_at=slot, now=NOW,
                                      expires_at=NOW + dt.timedelta(minutes=15))
    backend.sent.clear()
    answer = client.get("/api/v1/tickets", headers=headers(Principal("user", "expert950", "expert", expert_id=950)))
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert len(items) == 3 and all(t["allocations"] and t["history"] for t in items)
    assert backend.ticket_reads() == 1  # one read of three whole tickets, not one each


def _unmigrated_legacy_ticket(bridge) -> dict:
    for ticket_id in bridge.legacy_ticket_ids(migrated="false"):
        legacy = bridge.get_legacy_ticket(ticket_id)
        if legacy["frozen_at"] is None:
            return legacy
    raise AssertionError("the demo data has no legacy ticket left to move")


def test_a_first_view_of_a_legacy_ticket_is_one_freeze_that_decides_access_and_no_preview(counted):
    client, ticketing, backend, bridge = counted
    legacy = _unmigrated_legacy_ticket(bridge._bridge)
    stranger = Principal("user", "someone", "customer", customer_id=legacy["customer_id"] + 1)
    owner = Principal("user", "owner", "customer", customer_id=legacy["customer_id"])

    refused = client.get(f"/tickets/{legacy['id']}", headers=headers(stranger))
    assert refused.status_code == 404
    assert bridge.calls == ["freeze_legacy_tickets"]  # asked once, on behalf of the reader; no preview
    assert bridge._bridge.get_legacy_ticket(legacy["id"])["frozen_at"] is None  # a refused read moves nothing
    assert backend.ticket_reads() == 1 and not [q for kind, q in backend.sent if kind == "write"]

    bridge.calls.clear()
    shown = client.get(f"/tickets/{legacy['id']}", headers=headers(owner))
    assert shown.status_code == 200 and legacy["reference"] in shown.get_data(as_text=True)
    frozen = [name for name in bridge.calls if name.startswith("freeze")]
    assert frozen == ["freeze_legacy_tickets"] and "get_legacy_ticket" not in bridge.calls
    assert bridge._bridge.get_legacy_ticket(legacy["id"])["frozen_at"] is not None


def test_asking_for_no_tickets_sends_no_read(counted):
    """The worker looks for new tickets several times a second and mostly finds none: nothing to read then."""
    _, ticketing, backend, _ = counted
    ticket = raise_one(ticketing)
    backend.sent.clear()
    assert ticketing.stores.tickets.many([]) == []
    assert backend.sent == []
    assert [t.id for t in ticketing.stores.tickets.many([ticket.id])] == [ticket.id]
    assert backend.ticket_reads() == 1
