"""`sysops customers-backfill | customers-reconcile`: customers (with their contracts) and the catalogue
moving to the customers service (docs/adr/0025), each resumable and safe beside live traffic."""
from __future__ import annotations

import datetime as dt

from fragments.customers.adapters.bills import GraphBills
from fragments.customers.adapters.catalogue import GraphCatalogueAdmin, GraphContracts, PublishedOpenWork
from fragments.customers.adapters.customers import GraphCustomers
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.adapters.rollback import parts as rollback_parts
from fragments.customers.wiring import build
from graph_store.cutover import roll_back
from graph_store.reconciliation import Reconciliation, compare, confirmed, record_run, repair_bookkeeping
from sysops.reporting import operator_store

from . import reporting


def _on_store(work):
    """`work(customers, catalogue, bridge)` over the graph and the monolith as the operator's identity."""
    store = operator_store()
    try:
        return work(GraphCustomers(store.backend, store.bridge), GraphCatalogueAdmin(store.backend, store.bridge),
                    store.bridge)
    finally:
        store.bridge.close()
        store.close()


def backfill(args) -> int:
    def run(customers: GraphCustomers, catalogue: GraphCatalogueAdmin, _bridge) -> None:
        copied = catalogue.copy_all()
        result = customers.backfill(batch_size=args.batch_size, workers=args.workers)
        print(f"customers-backfill: {copied} catalogue records copied; {result.seen} customers seen, "
              f"{result.migrated} copied, {result.already} already held, {result.per_second:,.0f} customers/s")
    _on_store(run)
    return 0


def reconcile_all(customers: GraphCustomers, catalogue: GraphCatalogueAdmin, bridge,
                  now: dt.datetime | None = None) -> dict[str, Reconciliation]:
    """Every part's legacy records against the copies: safe repairs made (a missing mark set, a frozen
    record copied, a change here written back to its legacy row: contact details, catalogue records
    and contracts made here), the rest listed for a person."""
    service = build(customers, catalogue, bridge, GraphContracts(customers.db), PublishedOpenWork(customers.db),
                    bills=GraphBills(customers.db, bridge), gateway=LocalGateway())
    written = service.keeping.write_back_pending(limit=10_000)
    written += service.directory.write_back_pending(limit=10_000)
    found = {}
    for migration in (customers.migration, *catalogue.migrations.values()):
        result = confirmed(migration, compare(migration))
        repair_bookkeeping(result, migration)
        found[migration.part.name] = result
    if written:  # the rows just written back compare equal now: only what remains is reported
        found = {name: confirmed(m, compare(m)) for name, m in ((customers.migration.part.name, customers.migration),
                                                                *((m.part.name, m) for m in catalogue.migrations.values()))}
    total = Reconciliation(
        checked=sum(r.checked for r in found.values()), matching=sum(r.matching for r in found.values()),
        not_migrated=sum(r.not_migrated for r in found.values()),
        findings=[f for r in found.values() for f in r.findings])
    record_run(customers.db, total, now or dt.datetime.now(), part="customers")
    return found


def rollback_all(customers: GraphCustomers, catalogue: GraphCatalogueAdmin, bridge, batch_size: int = 100) -> dict:
    """Every customer, contract and catalogue record handed back to the monolith (docs/adr/0026)."""
    reconcile_all(customers, catalogue, bridge)  # first, whatever waits for its write-back goes back
    done = {}
    for part in rollback_parts(customers.db, bridge):
        done[part.kind] = roll_back(part, batch_size=batch_size)
    return done


def rollback(args) -> int:
    if not args.yes:
        print("customers-rollback hands every customer, contract, product, plan and locale back to the monolith "
              "(written back, then released) and empties the customers service's copies. Switch the customers "
              "service off first (SYSOPS_FRAGMENTS without customers: every reader then asks the monolith), then "
              "run again with --yes.")
        return 2
    done = _on_store(lambda customers, catalogue, bridge: rollback_all(customers, catalogue, bridge, args.batch))
    for kind, result in done.items():
        print(f"customers-rollback: {kind}: {result.written_back} written back and released, {result.removed} "
              "forgotten by the customers service")
    return 0


def reconcile(_args) -> int:
    found = _on_store(reconcile_all)
    return max(reporting.reconciliation(part, result, part) for part, result in found.items())


def register(sub) -> None:
    fill = sub.add_parser("customers-backfill", help="copy the catalogue and every customer not yet copied to the "
                                                     "customers service (resumable)")
    fill.add_argument("--batch-size", type=int, default=400)
    fill.add_argument("--workers", type=int, default=2)
    fill.set_defaults(func=backfill)
    sub.add_parser("customers-reconcile", help="compare customers, contracts and the catalogue with the customers "
                                               "service's copies; repair what is safe").set_defaults(func=reconcile)
    back = sub.add_parser("customers-rollback", help="hand customers, contracts and the catalogue back to the monolith "
                                                     "(written back, released), then empty the service's copies")
    back.add_argument("--batch", type=int, default=100)
    back.add_argument("--yes", action="store_true", help="really do it")
    back.set_defaults(func=rollback)
