"""`sysops accounts-cutover | accounts-reconcile | accounts-rollback`: sign-in moving from the monolith to
the identity service and back (docs/adr/0032), each resumable.

Cut-over: every account copied (frozen in the monolith: it still signs them in but writes nothing to
them), reconciled to 0 findings, then the `accounts` part's owner set to `identity`: within a few
seconds every shell passes sign-in to the identity service and asks it who each session is. People
signed in at the monolith sign in once more.

Rollback: every account written back (its password as it is now), the owner set back to `legacy`, a
moment for every shell to see it, written back again (a change in that moment), released and forgotten.
"""
from __future__ import annotations

import time

from foundation.config import load_settings
from fragments.identity.adapters import handover
from graph_store.config import open_store
from shell_app.db import make_engine, make_session_factory
from shell_app.front_door import OWNER_KEPT_S
from shell_app.part_owners import ACCOUNTS, owner_of, set_owner

from . import reporting


def _on_store(work):
    settings = load_settings()
    store = open_store(settings, "backfill")
    try:
        return work(store.backend, store.bridge, settings)
    finally:
        store.bridge.close()
        store.close()


def owner(settings, wanted: str | None = None) -> str:
    """The part's owner in the monolith's database; set first if `wanted`."""
    engine = make_engine(settings.database_url)
    try:
        session = make_session_factory(engine)()
        try:
            if wanted is not None:
                set_owner(session, ACCOUNTS, wanted)
            return owner_of(session, ACCOUNTS)
        finally:
            session.close()
    finally:
        engine.dispose()


def cutover(args) -> int:
    def run(backend, bridge, settings) -> int:
        copied = handover.take_all(backend, bridge, batch_size=args.batch)
        found = handover.reconcile(backend, bridge)
        print(f"accounts-cutover: {copied.seen} accounts seen, {copied.migrated} copied")
        if reporting.reconciliation("accounts-cutover: reconciliation", found, "account"):
            print("accounts-cutover: sign-in stays with the monolith until these are settled")
            return 1
        owner(settings, "identity")
        print("accounts-cutover: the identity service signs people in now (every shell within "
              f"{OWNER_KEPT_S:.0f} s); people signed in at the monolith sign in once more")
        return 0
    return _on_store(run)


def reconcile(_args) -> int:
    found = _on_store(lambda backend, bridge, _settings: handover.reconcile(backend, bridge))
    return reporting.reconciliation("accounts-reconcile", found, "account")


def rollback(args) -> int:
    if not args.yes:
        print("accounts-rollback gives sign-in back to the monolith: every account written back with its password "
              "as it is now and released, the identity service's copies and sessions forgotten (everyone signs in "
              "again). Run again with --yes.")
        return 2

    def run(backend, bridge, settings) -> int:
        handover.write_back_pending(backend, bridge)
        owner(settings, "legacy")
        time.sleep(OWNER_KEPT_S + 1)  # every shell has seen the owner: nothing changes there any more
        done = handover.give_back(backend, bridge, batch_size=args.batch)
        print(f"accounts-rollback: the monolith signs people in again; {done.written_back} accounts written back "
              f"and released, {done.removed} copies forgotten")
        return 0
    return _on_store(run)


def register(sub) -> None:
    go = sub.add_parser("accounts-cutover", help="move sign-in to the identity service (copy every account, "
                                                 "reconcile, switch)")
    go.add_argument("--batch", type=int, default=200)
    go.set_defaults(func=cutover)
    sub.add_parser("accounts-reconcile", help="compare the monolith's accounts with the identity service's copies; "
                                              "write back and repair what is safe").set_defaults(func=reconcile)
    back = sub.add_parser("accounts-rollback", help="give sign-in back to the monolith (accounts written back)")
    back.add_argument("--batch", type=int, default=100)
    back.add_argument("--yes", action="store_true", help="really do it")
    back.set_defaults(func=rollback)
