"""Customers (with their contracts) and the catalogue move to the customers service with the protocol
every part uses (freeze, copy, mark, reconcile by checksum), on SQLite and PostgreSQL behind a real
bridge: concurrent first reads copy once, the backfill runs beside lazy reads, a crash between the copy
and the mark is repaired, reconciliation finds nothing, a contact change is written back to the legacy
row (old readers see it) and a change the write-back missed is found and repaired."""
from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from fragments.customers.adapters.catalogue import GraphCatalogueAdmin, GraphContracts, PublishedOpenWork
from fragments.customers.adapters.customers import GraphCatalogue, GraphCustomers
from fragments.customers.published.customers_v1 import CustomerRows
from fragments.customers.services.catalogue_admin import CatalogueKeeping
from fragments.customers.services.directory import Directory
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.reconciliation import compare, repair_bookkeeping
from shell_app.demo_data import create_and_seed
from sysops.graph_data import SCHEMA

from ..support.processes import ServedMonolith
from .conftest import SECRET, bridge_client

_graphs = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def handover(request, falkor_server, fresh_database_url):
    url = fresh_database_url(request.param)
    create_and_seed(url, seed=41, anchor=dt.date(2026, 11, 1), preset="tiny")
    with ServedMonolith(url, SECRET, workers=3) as base:
        backend = FalkorBackend(graph=f"customers{next(_graphs)}", unix_socket_path=str(falkor_server.socket_path))
        backend.clear()
        backend.ensure_schema(SCHEMA)
        bridge = bridge_client(base, "customers")
        yield backend, bridge, base
        bridge.close()
        backend.clear()
        backend.close()


def test_concurrent_first_reads_and_the_backfill_copy_each_customer_once_and_reconcile_to_nothing(handover):
    backend, bridge, _ = handover
    customers = GraphCustomers(backend, bridge)
    catalogue = GraphCatalogue(backend, bridge)
    with ThreadPoolExecutor(max_workers=6) as pool:  # six first reads of one customer, and the catalogue's
        read = list(pool.map(lambda _: customers.get(1), range(6)))
        lists = list(pool.map(lambda _: catalogue.products(), range(3)))
    assert {c["id"] for c in read} == {1} and all(lists) and lists[0] == lists[1] == lists[2]
    copies = backend.read("MATCH (c:Customer {id: 1}) RETURN count(c) AS n, c.migration_token AS t")
    assert copies[0]["n"] == 1
    total = bridge.handover_stats("customers")["total"]
    assert total > 10
    with ThreadPoolExecutor(max_workers=3) as pool:  # the backfill beside lazy reads of the same customers
        lazy = pool.submit(lambda: [customers.get(i) for i in range(total, 1, -1)])
        result = customers.backfill(batch_size=3, workers=2)
        lazy.result()
    assert result.migrated < total and customers.counts()["legacy"] == total
    assert list(bridge.handover_ids("customers", migrated="false")) == []
    for part in (customers.migration, *catalogue.migrations.values()):
        found = compare(part)
        assert found.findings == [] and found.not_migrated == 0, (part.part.name, found.findings[:3])


def test_coverage_is_the_monoliths_rule_read_from_the_copy(handover):
    backend, bridge, base = handover
    old_client = bridge_client(base, "ticketing")  # as the raise path asked before (the bridge's v1 routes)
    customers = GraphCustomers(backend, bridge)
    GraphCatalogue(backend, bridge).copy_all()
    today = dt.date.today()
    for customer_id in range(1, 11):
        customers.get(customer_id)
        for product in CustomerRows(backend).products()[:12]:
            legacy = old_client.coverage(customer_id, product["id"], today)
            copied = customers.covering(customer_id, product["id"], today)
            assert legacy["contract_id"] == (copied["id"] if copied else None), (customer_id, product["id"])


def test_a_crash_after_the_copy_leaves_an_unmarked_record_that_reconciliation_marks(handover, monkeypatch):
    backend, bridge, _ = handover
    customers = GraphCustomers(backend, bridge)
    monkeypatch.setattr(bridge, "mark_handover", lambda kind, ids: (_ for _ in ()).throw(SystemExit("crash")))
    with pytest.raises(SystemExit):
        customers.get(5)
    monkeypatch.undo()
    found = compare(customers.migration)
    assert found.unmarked == [5]
    repair_bookkeeping(found, customers.migration)
    assert compare(customers.migration).unmarked == []


def test_a_contact_change_is_written_back_and_a_missed_write_back_is_found(handover):
    backend, bridge, base = handover
    old_client = bridge_client(base, "ticketing")
    customers, catalogue = GraphCustomers(backend, bridge), GraphCatalogue(backend, bridge)
    directory = Directory(customers, catalogue, bridge, dt.datetime.now)
    before = directory.customer(2)
    directory.change_contact(2, {"email": "new.address@example.com", "phone": "07700 900123",
                                 "address_line": "1 High Street", "city": "London", "postcode": "sw1a1aa"},
                             expected_version=before["version"], by="callcentre")
    assert old_client.get_customer(2)["postcode"] == "SW1A 1AA"  # old readers see the change
    assert compare(customers.migration).findings == []
    unreachable = Directory(customers, catalogue, _Down(), dt.datetime.now)  # the monolith does not answer
    saved = unreachable.change_contact(2, {"email": "later@example.com", "phone": "07700 900123",
                                           "address_line": "1 High Street", "city": "London", "postcode": "SW1A 1AA"},
                                       expected_version=before["version"] + 1, by="customer2")
    assert saved["email"] == "later@example.com" and customers.behind_legacy() != []
    assert compare(customers.migration).mismatched == [2]  # the legacy row is behind: found
    assert directory.write_back_pending() == 1 and compare(customers.migration).findings == []
    assert old_client.get_customer(2)["email"] == "later@example.com"


class _Down:
    def write_back_contact(self, customer_id, contact):
        raise ConnectionError("the monolith does not answer")

    def write_back_record(self, kind, record_id, content):
        raise ConnectionError("the monolith does not answer")


def test_the_operators_reconciliation_writes_back_what_waits_records_its_run_and_progress_shows_the_part(handover):
    from fragments.reports.adapters.progress import migration_progress
    from sysops.customer_commands import reconcile_all

    backend, bridge, base = handover
    reporter = bridge_client(base, "reports")
    customers, catalogue = GraphCustomers(backend, bridge), GraphCatalogueAdmin(backend, bridge)
    catalogue.copy_all()
    customers.backfill(batch_size=10)
    current = customers.get(3)
    Directory(customers, catalogue, _Down(), dt.datetime.now).change_contact(
        3, {"email": "waiting@example.com", "phone": current["phone"], "address_line": "9 Quay Street",
            "city": "Bristol", "postcode": "BS1 4DJ"}, expected_version=current["version"], by="admin")
    # Made here while the monolith did not answer: a product, a plan covering it, a contract for customer 3.
    away = CatalogueKeeping(catalogue, GraphContracts(backend), customers, _Down(), PublishedOpenWork(backend),
                            dt.datetime.now)
    product = away.create_product({"sku": "WAIT-1", "name": "Waiting pump", "category": "Heating",
                                   "manufacturer": "Kestrel"}, "admin")
    today = dt.date.today().isoformat()
    plan = away.create_plan({"code": "WAITING", "name": "Waiting plan", "monthly_price": "5", "max_open_tickets": "2"},
                            [str(product["id"])], {"from": today, "accept_hours": "8", "visit_days": "3",
                                                   "weekdays": "mon-fri", "opens": "08:00", "closes": "18:00"}, "admin")
    away.sell(3, {"plan_id": str(plan["id"]), "start_date": today, "months": "12"}, [], "call_centre")
    assert compare(customers.migration).findings  # customer 3's contracts differ until written back
    parts = {p["part"]: p for p in migration_progress(backend, reporter)["parts"]}
    assert "1 changed here, not yet written back" in parts["customers and contracts"]["reconciliation"]
    found = reconcile_all(customers, catalogue, bridge)
    assert all(result.ok and not result.findings for result in found.values()), found
    parts = {p["part"]: p for p in migration_progress(backend, reporter)["parts"]}
    customers_part = parts["customers and contracts"]
    assert customers_part["remaining"] == 0 and customers_part["in_graph"] == customers_part["legacy"]
    assert "0 need a person" in customers_part["reconciliation"] and "written back" not in customers_part["reconciliation"]
    assert parts["catalogue (products, plans, locales)"]["remaining"] == 0
    old_reader = bridge_client(base, "ticketing")
    assert any(k["plan"]["id"] == plan["id"] for k in old_reader.customer_contracts(3))  # written back since
    old_reader.close()
