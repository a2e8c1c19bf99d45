"""`sysops billing-run | bills-take | bills-reconcile`: the monthly billing run and the monolith's bills
moving to the customers service (issue 29), each resumable and safe to repeat."""
from __future__ import annotations

import datetime as dt

from bridge_client.handover import BILLS
from fragments.customers.adapters.bills import GraphBills, reconcile_bills, take_legacy_bills
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.domain.billing import InvalidBilling, Month
from fragments.customers.services.billing import Billing

from . import reporting

_on_store = reporting.on_operator_store


def run(args) -> int:
    """Bill a month that has ended (by default the last one): once, however often it is run."""
    month = args.month or str(Month.of(dt.date.today()).previous())

    def work(backend, bridge):
        return Billing(GraphBills(backend, bridge), LocalGateway(), dt.datetime.now).run(month, page=args.page)

    try:
        result = _on_store(work)
    except InvalidBilling as refused:
        print(f"billing-run refused: {refused.errors['month']}. Nothing was billed.")
        return 2
    print(f"billing-run {result.month}: {result.seen} contracts in force, {result.billed} billed now, "
          f"{result.total} bills for the month{' (a run that had stopped, resumed)' if result.resumed else ''}")
    if result.unpriced:
        print(f"  not billed: {len(result.unpriced)} contracts of plans without a price here "
              f"(first: {result.unpriced[:10]}); copy the catalogue (sysops customers-backfill) and run again")
        return 1
    return 0


def take(_args) -> int:
    copied = _on_store(take_legacy_bills)
    stats = _on_store(lambda _backend, bridge: bridge.handover_stats(BILLS))
    print(f"bills-take: {copied} legacy bills copied with their payments; {stats['migrated']} of {stats['total']} moved")
    return 0


def reconcile(_args) -> int:
    return reporting.reconciliation("bills-reconcile", _on_store(reconcile_bills), "bill")


def register(sub) -> None:
    go = sub.add_parser("billing-run", help="bill every contract for a month that has ended (once; resumable)")
    go.add_argument("--month", help="YYYY-MM (default: last month)")
    go.add_argument("--page", type=int, default=500, help="contracts per batch")
    go.set_defaults(func=run)
    sub.add_parser("bills-take", help="copy the monolith's bills with their payments to the customers service "
                                      "(resumable)").set_defaults(func=take)
    sub.add_parser("bills-reconcile", help="compare the monolith's bills with the customers service's copies; "
                                           "repair what is safe").set_defaults(func=reconcile)
