"""The Ticket aggregate on its own: mapping to and from stored records, transitions as methods, and the
rules that used to be string-key lookups in views and services."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.ticketing.domain.states import TransitionRefused
from fragments.ticketing.domain.ticket import Ticket
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.memory_ticket_store import MemoryTicketStore

NOW = dt.datetime(2026, 11, 25, 9, 0)
RECORD = {"id": 7, "reference": "T-0000007", "status": "offered", "customer_id": 3, "product_id": 11,
          "locale_id": 1, "slots": ["2026-11-26T08:00:00", "2026-11-27T12:00:00"], "source": "legacy",
          "revision": 4, "migrated_via": "lazy", "checksum": "abc", "history": [{"seq": 1, "action": "created"}],
          "allocations": [{"expert_id": 5, "state": "refused", "slot": "2026-11-26T08:00:00", "reason": "far",
                           "source": "new"},
                          {"expert_id": 6, "state": "offered", "slot": "2026-11-27T12:00:00",
                           "expires_at": "2026-11-25T09:15:00", "source": "new", "accepted": False}]}


def test_a_stored_record_maps_to_a_ticket_and_back_unchanged_including_legacy_only_properties():
    ticket = Ticket.from_record(RECORD)
    assert ticket.to_dict() == RECORD
    assert ticket["migrated_via"] == "lazy" and ticket.allocations[1]["expires_at"] == "2026-11-25T09:15:00"
    with pytest.raises(KeyError):
        ticket["accept"]  # methods are not fields


def test_a_listing_summary_does_not_claim_empty_history_or_allocations():
    summary = Ticket.from_record({k: v for k, v in RECORD.items() if k not in ("history", "allocations")})
    assert "allocations" not in summary.to_dict() and "history" not in summary.to_dict()


def test_accepting_needs_an_open_offer_of_that_expert_and_books_it():
    ticket = Ticket.from_record(RECORD)
    assert ticket.accept(5) is None  # refused earlier: no open offer
    offer = ticket.accept(6)
    assert offer.slot == "2026-11-27T12:00:00" and ticket.status == "assigned"
    assert ticket.booking(6) is offer and ticket.concerns_expert(6) and not ticket.concerns_expert(5)


def test_refusing_frees_the_ticket_for_the_next_expert_and_remembers_who_was_tried():
    ticket = Ticket.from_record(RECORD)
    ticket.end_offer(6, "refused", "ill")
    assert ticket.status == "unassigned" and ticket.waits_for_an_expert and ticket.tried_experts() == {5, 6}


def test_only_the_booked_expert_closes_and_the_close_is_one_pending_change():
    ticket = Ticket.from_record(RECORD)
    ticket.accept(6)
    with pytest.raises(TransitionRefused):
        ticket.close(5, "expert5", "Fixed it", NOW)
    ticket.close(6, "expert6", "Fixed it", NOW)
    [change] = ticket.pending
    assert change.action == "closed" and change.fields["status"] == "closed" and ticket.closing_expert() == 6


def test_the_staff_queue_alerts_once_until_the_ticket_is_dispatched_again():
    ticket = Ticket.from_record({**RECORD, "status": "new", "allocations": []})
    assert ticket.unassign("nobody free", NOW) is True and ticket.status == "unassigned"
    assert ticket.unassign("nobody free", NOW) is False
    ticket.retry_assignment("callcentre")
    assert ticket.alerted_at is None and ticket.unassign("nobody free", NOW) is True


@pytest.mark.parametrize("status, now, overdue", [
    ("offered", dt.datetime(2026, 11, 25, 9, 0), True),      # first slot less than a day away
    ("offered", dt.datetime(2026, 11, 24, 7, 0), False),
    ("assigned", dt.datetime(2026, 11, 27, 17, 0), True),    # last slot ended at 16:00, not closed
    ("assigned", dt.datetime(2026, 11, 27, 15, 0), False),
])
def test_overdue_is_one_rule_on_the_ticket(status, now, overdue):
    assert Ticket.from_record({**RECORD, "status": status}).is_overdue(now) is overdue


class CountingStore(MemoryTicketStore):
    reads = 0

    def get(self, ticket_id):
        self.reads += 1
        return super().get(ticket_id)


class CountingBridge(FakeBridgeClient):
    """Counts the customer reads the use cases make (not those the fake makes for its own checks)."""
    customer_reads = 0
    inside = False

    def get_customer(self, customer_id):
        self.customer_reads += not self.inside
        return super().get_customer(customer_id)

    def coverage(self, *args, **kwargs):
        self.inside = True
        try:
            return super().coverage(*args, **kwargs)
        finally:
            self.inside = False

    def customer_contracts(self, *args, **kwargs):  # the fake checks the customer exists: not our read
        self.inside = True
        try:
            return super().customer_contracts(*args, **kwargs)
        finally:
            self.inside = False


def test_a_raise_asks_the_monolith_nothing_and_reads_the_ticket_once_for_the_answer():
    bridge, store = CountingBridge(), CountingStore()
    bridge.product_list = [{"id": 11, "name": "Printer"}]
    bridge.customers[3] = {"id": 3, "locale": {"id": 1}, "notification_preference": "sms"}
    bridge.contracts[3] = [{"id": 30, "status": "active", "start_date": "2026-01-01", "end_date": None,
                            "product_ids": [11]}]
    store.add_expert(1, products={11}, locales={1}, weekly={"3:morning"})
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(), customers=FakeCustomers(bridge), clock=lambda: NOW)
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(3, 11, "Printer jams on every page",
                                                              ["2026-11-26 morning"], "phone", "callcentre"))
    assert ticket.status == "offered" and ticket.confirmed_at
    assert bridge.customer_reads == 0 and store.reads == 1  # the customer is the customers service's
