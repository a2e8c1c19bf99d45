"""`sysops forget-customer ID --by NAME`: a customer's request to be forgotten (issue 29), carried to every
store that holds them: each service's own records in the graph (each owner's erasure, its data code), the
monolith's database while it may still be written, and, once it is archived read-only, the archive's
ledger of erasures (applied to any restore of it: shell_app/archive.py). The request itself is kept in
the graph without anything personal: who asked it carried out, when, why."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from foundation.config import Settings, load_settings
from foundation.vocabulary import iso
from fragments.customers.adapters.erasure import erase_customer
from fragments.identity.adapters.erasure import erase_customer_account
from fragments.identity.adapters.sessions import KeyspaceSessions
from fragments.notifications.adapters.erasure import erase_recipient
from fragments.ticketing.adapters.erasure import erase_customer_words
from graph_store import retirement
from graph_store.backends import GraphBackend
from shell_app import archive
from shell_app import erasure as legacy
from sysops.reporting import operator_store


def forget_customer(settings: Settings, db: GraphBackend, customer_id: int, *, by: str, reason: str,
                    now: dt.datetime | None = None, sessions: KeyspaceSessions | None = None) -> dict[str, Any]:
    """What was erased where."""
    at = now or dt.datetime.now()
    done: dict[str, Any] = {
        "customers": erase_customer(db, customer_id, at),
        "ticketing": erase_customer_words(db, customer_id),
        "notifications": erase_recipient(db, "customer", customer_id),
        "identity": erase_customer_account(db, sessions, customer_id),
    }
    entry = {"customer_id": customer_id, "at": iso(at), "by": by, "reason": reason}
    record = retirement.decommissioned(db)
    if record is not None:
        archive.record_erasure(Path(record["archive"]), entry)
        done["archive"] = f"kept in {Path(record['archive']) / archive.ERASURES}, applied to any restore"
    else:
        done["monolith"] = legacy.erase_customer(settings.database_url, customer_id)
    db.write("CREATE (:Erasure {customer_id: $customer_id, at: $at, by: $by, reason: $reason})", entry)
    return done


def cmd_forget(args) -> int:
    settings = load_settings()
    store = operator_store(settings)
    try:
        keyspace = getattr(store.backend, "keyspace", None)
        done = forget_customer(settings, store.backend, args.customer_id, by=args.by, reason=args.reason,
                               sessions=KeyspaceSessions(keyspace()) if keyspace else None)
    finally:
        store.bridge.close()
        store.close()
    if not done["customers"]["customer"]:
        print(f"forget-customer: no customer {args.customer_id} is held by the customers service; the other stores "
              "were searched and erased all the same", file=sys.stderr)
    for where, what in done.items():
        print(f"  {where}: {what}")
    return 0


def register(sub) -> None:
    go = sub.add_parser("forget-customer", help="erase a customer's personal data from every store, the archive too")
    go.add_argument("customer_id", type=int)
    go.add_argument("--by", required=True, help="who carries the request out")
    go.add_argument("--reason", default="the customer asked to be forgotten")
    go.set_defaults(func=cmd_forget)
