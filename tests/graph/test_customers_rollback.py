"""The customers part's cut-over and rollback rehearsed (ADR 0025, 0026), on SQLite and PostgreSQL:
everything copied and reconciled to nothing; changes made in the service (a contact, a product, a plan
covering it, a contract sold); then the rollback hands every record back to the monolith, written back
and released, and empties the service's copies; readers fall back to the monolith and answer as the
service did; `make run` started again with the service switched off leaves them there; a second
take-over copies everything afresh, reconciles to nothing, and the next record
made here takes a new id (ids never reused)."""
from __future__ import annotations

import datetime as dt

from fragments.customers.adapters.bills import GraphBills
from fragments.customers.adapters.catalogue import GraphCatalogueAdmin, GraphContracts, PublishedOpenWork
from fragments.customers.adapters.customers import GraphCustomers
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.published.reader_v1 import CustomerReader, MonolithCustomerReader
from fragments.customers.wiring import build
from graph_store.reconciliation import compare
from sysops.customer_commands import reconcile_all, rollback_all
from sysops.graph_data import GraphData
from sysops.launcher import prepare

from .conftest import bridge_client
from .test_customers_migration import handover  # noqa: F401  (the fixture: a monolith of its own)

TODAY = dt.date.today()
TERMS = {"from": TODAY.isoformat(), "accept_hours": "8", "visit_days": "3", "weekdays": "mon-fri",
         "opens": "08:00", "closes": "18:00"}


def _service(backend, bridge):
    customers, catalogue = GraphCustomers(backend, bridge), GraphCatalogueAdmin(backend, bridge)
    return customers, catalogue, build(customers, catalogue, bridge, GraphContracts(backend), PublishedOpenWork(backend),
                                           bills=GraphBills(backend), gateway=LocalGateway())


def test_cut_over_change_roll_back_and_take_over_again(handover):  # noqa: F811
    backend, bridge, base = handover
    customers, catalogue, service = _service(backend, bridge)
    catalogue.copy_all()
    customers.backfill(batch_size=7)
    assert all(r.ok and not r.findings for r in reconcile_all(customers, catalogue, bridge).values())

    current = customers.get(2)
    service.directory.change_contact(2, {"email": "back@example.com", "phone": current["phone"],
                                         "address_line": "1 Return Road", "city": "Leeds", "postcode": "LS1 4AP"},
                                     expected_version=current["version"], by="call_centre")
    product = service.keeping.create_product({"sku": "ROLL-1", "name": "Roll pump", "category": "Heating",
                                              "manufacturer": "Kestrel"}, "admin")
    plan = service.keeping.create_plan({"code": "ROLLBACK", "name": "Rollback plan", "monthly_price": "4.20",
                                        "max_open_tickets": "3"}, [str(product["id"])], TERMS, "admin")
    contract = service.keeping.sell(2, {"plan_id": str(plan["id"]), "start_date": TODAY.isoformat(), "months": "12"},
                                    [], "call_centre")
    published = CustomerReader(backend, None)
    before = {"customer": published.customer(2), "covering": published.covering(2, product["id"], TODAY),
              "covered": published.covered_products(2, TODAY)}
    assert before["covering"]["id"] == contract["id"]

    done = rollback_all(customers, catalogue, bridge, batch_size=5)
    total = bridge.handover_stats("customers")["total"]
    assert done["customers"].written_back == total and done["customers"].removed == total
    for kind in ("customers", "products", "plans", "locales"):
        stats = bridge.handover_stats(kind)
        assert stats["frozen"] == 0 and stats["migrated"] == 0, kind  # the monolith's own again
    assert backend.read("MATCH (n) WHERE (n:Customer OR n:Product OR n:Plan OR n:Locale) AND n.source IS NOT NULL "
                        "RETURN count(n) AS n")[0]["n"] == 0
    assert backend.read("MATCH (k:Contract) WHERE k.customer_id IS NOT NULL RETURN count(k) AS n")[0]["n"] == 0

    old_reader = bridge_client(base, "ticketing")  # what every reader uses once the service is switched off
    try:
        monolith = MonolithCustomerReader(old_reader)
        assert monolith.customer(2)["email"] == "back@example.com"
        assert monolith.covering(2, product["id"], TODAY)["id"] == contract["id"]
        assert [p["id"] for p in monolith.covered_products(2, TODAY)] == [p["id"] for p in before["covered"]]
        assert {p["id"] for p in monolith.products()} >= {product["id"]}
    finally:
        old_reader.close()

    # `make run` started again with the service switched off (as the rollback requires) leaves the
    # monolith its customers and catalogue; with the service back on it takes them again.
    restarted = GraphData(backend, bridge_client(base, "backfill"))
    try:
        prepare(restarted, customers_service=False)
        assert all(bridge.handover_stats(kind)["migrated"] == 0 for kind in ("customers", "products", "plans"))
        assert backend.read("MATCH (c:Customer) WHERE c.source IS NOT NULL RETURN count(c) AS n")[0]["n"] == 0
    finally:
        restarted.bridge.close()

    # Taken over again: copied afresh (the second time too), nothing differs, ids go on.
    customers, catalogue, service = _service(backend, bridge)
    catalogue.copy_all()
    customers.backfill(batch_size=7)
    for part in (customers.migration, *catalogue.migrations.values()):
        found = compare(part)
        assert found.findings == [] and found.not_migrated == 0, (part.part.name, found.findings[:3])
    assert published.customer(2)["email"] == "back@example.com"
    assert published.covering(2, product["id"], TODAY)["id"] == contract["id"]
    again = service.keeping.create_product({"sku": "ROLL-2", "name": "Roll pump 2", "category": "Heating",
                                            "manufacturer": "Kestrel"}, "admin")
    assert again["id"] > product["id"]
