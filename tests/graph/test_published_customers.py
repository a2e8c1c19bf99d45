"""The customers service's published customers_v1 and reader_v1, on both backends and the real bridge:
what they answer is what the bridge's v1 routes answered (the promise readers moved on), a customer a
ticket named before the service held them reads as not held, and the reader copies one on first read."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.customers.adapters.customers import GraphCatalogue, GraphCustomers
from fragments.customers.published import customers_v1
from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable
from fragments.ticketing.adapters.tickets import GraphTickets

from ..support.legacy_customers import add_customers
from .conftest import bridge_client

NOW = dt.datetime(2026, 11, 25, 10, 0)


def test_the_published_reads_answer_what_the_bridge_answered(graph_backend, live_bridge, legacy_url):
    mine = [c["id"] for c in add_customers(legacy_url, 3)]
    holder, old = bridge_client(live_bridge, "customers"), bridge_client(live_bridge, "ticketing")
    try:
        GraphCatalogue(graph_backend, holder).copy_all(unmarked_only=False)
        customers, rows = GraphCustomers(graph_backend, holder), customers_v1.CustomerRows(graph_backend)
        for customer_id in mine:
            customers.get(customer_id)
            legacy = old.get_customer(customer_id)
            held = rows.customer(customer_id)
            assert {k: v for k, v in held.items() if k not in ("version", "locale_id")} == legacy
            assert [{**k, "plan": {n: k["plan"][n] for n in ("id", "code", "name")}}
                    for k in rows.contracts(customer_id)] == old.customer_contracts(customer_id)
            assert rows.with_contracts(customer_id) == (held, rows.contracts(customer_id))  # one read, the same
        assert rows.products() == old.products() and rows.locales() == old.locales()
        some = [p["id"] for p in rows.products()[:3]]
        graph_backend.write("MATCH (p:Product {id: $id}) SET p.retired = true", {"id": some[0]})
        assert rows.product_names([*some, 999_999]) == {p["id"]: p["name"] for p in old.products()[:3]}  # retired too
        assert all(customers_v1.plan_terms(graph_backend, p["id"])[0]["from"] == "2000-01-01" for p in rows.plans())
        assert customers_v1.held_counts(graph_backend)["legacy"] == 3
    finally:
        holder.close()
        old.close()


def test_a_customer_only_a_ticket_named_is_not_held_and_the_reader_says_it_cannot_copy_without_the_service(
        graph_backend):
    from tests.support.fake_bridge import FakeBridgeClient

    GraphTickets(graph_backend, FakeBridgeClient()).create(customer_id=77, contract_id=770, product_id=5, locale_id=2,
                                                           description="Printer jams", slots=[], channel="phone",
                                                           actor="cc", now=NOW)
    rows = customers_v1.CustomerRows(graph_backend)
    assert rows.customer(77) is None and rows.with_contracts(77) is None  # a stub node is nobody's record
    graph_backend.write("CREATE (:Customer {id: 78, source: 'new', first_name: 'Ada', last_name: 'Byron', version: 1})")
    assert rows.with_contracts(78) == (rows.customer(78), [])  # held, with no contract yet
    with pytest.raises(CustomersUnavailable):
        CustomerReader(graph_backend, None).customer(77)


def test_which_plan_each_contract_holds_is_published_and_the_reader_copies_the_customer_first(
        graph_backend, live_bridge, legacy_url):
    held_one, other = (c["id"] for c in add_customers(legacy_url, 2))
    holder, old = bridge_client(live_bridge, "customers"), bridge_client(live_bridge, "ticketing")
    try:
        GraphCatalogue(graph_backend, holder).copy_all(unmarked_only=False)
        GraphCustomers(graph_backend, holder).get(held_one)
        contracts = old.customer_contracts(held_one)
        expected = {k["id"]: {"plan_id": k["plan"]["id"], "start_date": k["start_date"]} for k in contracts}
        assert expected and customers_v1.contract_plans(graph_backend, [*expected, 999_999]) == expected
        terms = customers_v1.every_plan_terms(graph_backend)
        assert set(terms) == {p["id"] for p in customers_v1.CustomerRows(graph_backend).plans()}
        assert all(terms[p] == customers_v1.plan_terms(graph_backend, p) for p in terms)
        reader = CustomerReader(graph_backend, None)
        assert reader.contract_plans({k: held_one for k in expected}) == expected
        others = old.customer_contracts(other)
        with pytest.raises(CustomersUnavailable):  # not held, and no customers service to copy them
            reader.contract_plans({others[0]["id"]: other})
        assert reader.contract_plans({999_999: None}) == {}  # nobody's contract: left out
    finally:
        holder.close()
        old.close()


def test_the_raise_reads_customer_coverage_and_terms_at_once_as_the_three_reads_give_them(graph_backend, live_bridge,
                                                                                          legacy_url):
    held_one, other = add_customers(legacy_url, 2)
    holder = bridge_client(live_bridge, "customers")
    try:
        GraphCatalogue(graph_backend, holder).copy_all(unmarked_only=False)
        GraphCustomers(graph_backend, holder).get(held_one["id"])
        rows, day, me = customers_v1.CustomerRows(graph_backend), NOW.date(), held_one["id"]
        covered = {p["id"] for p in rows.covered_products(me, day)}
        assert covered == set(held_one["product_ids"])
        uncovered = next(p["id"] for p in rows.products() if p["id"] not in covered)
        for product_id in (*sorted(covered), uncovered):
            contract = rows.covering(me, product_id, day)
            expected = {"customer": rows.customer(me), "contract": contract,
                        "terms": customers_v1.plan_terms(graph_backend, contract["plan"]["id"]) if contract else []}
            assert rows.raise_facts(me, product_id, day) == expected
        assert rows.raise_facts(other["id"], uncovered, day) is None  # not held yet
        reader = CustomerReader(graph_backend, None)
        assert reader.raise_facts(me, uncovered, day)["contract"] is None
        with pytest.raises(CustomersUnavailable):  # not held, and no customers service to copy them
            reader.raise_facts(other["id"], uncovered, day)
    finally:
        holder.close()
