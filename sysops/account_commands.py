"""`sysops accounts-cutover | accounts-reconcile | accounts-rollback`: sign-in moving from the monolith to
the identity service and back (docs/adr/0032), each resumable.

Cut-over: every account copied (frozen in the monolith: it still signs them in but writes nothing to
them), reconciled to 0 findings, then the `accounts` part's owner set to `identity`, and a moment for
every shell to see it: once the command returns, every shell passes sign-in to the identity service
and asks it who each session is. People signed in at the monolith sign in once more.

Rollback: every account written back (its password as it is now), the owner set back to `legacy`, a
moment for every shell to see it, written back again (a change in that moment), released and forgotten.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session

from foundation import keys
from foundation.config import load_settings
from fragments.identity.adapters import handover
from graph_store.backfill import BackfillResult
from graph_store.reconciliation import Reconciliation
from shell_app.db import make_engine, make_session_factory
from shell_app.front_door import OWNER_KEPT_S
from shell_app.part_owners import ACCOUNTS, set_owner
from sysops.reporting import operator_store

from . import reporting


def _on_store(work):
    settings = load_settings()
    store = operator_store(settings)
    try:
        return work(store.backend, store.bridge, settings)
    finally:
        store.bridge.close()
        store.close()


@contextmanager
def legacy_db(database_url: str) -> Iterator[Session]:
    """A session on the monolith's database, where the part's owner is kept."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def move_sign_in(backend, bridge, session: Session, batch_size: int = 200) -> tuple[BackfillResult, Reconciliation]:
    """The cut-over's steps: every account not yet copied copied, all reconciled, and only with 0 findings
    the owner set to `identity` (`sysops accounts-cutover`, and `make run` on a new installation)."""
    copied = handover.take_all(backend, bridge, batch_size=batch_size)
    found = handover.reconcile(backend, bridge)
    if found.ok:
        set_owner(session, ACCOUNTS, "identity")
    return copied, found


def every_shell_has_seen_the_owner() -> None:
    """Waits out each shell's memory of the owner (OWNER_KEPT_S, counted from before its read), so that
    when a command returns, every request any shell takes goes to the new owner: a person signing in
    just after it is not signed in at the old side and then thrown out a few seconds later."""
    time.sleep(OWNER_KEPT_S + 1)


def cutover(args) -> int:
    def run(backend, bridge, settings) -> int:
        with legacy_db(settings.database_url) as session:
            copied, found = move_sign_in(backend, bridge, session, batch_size=args.batch)
        print(f"accounts-cutover: {copied.seen} accounts seen, {copied.migrated} copied")
        if reporting.reconciliation("accounts-cutover: reconciliation", found, "account"):
            print("accounts-cutover: sign-in stays with the monolith until these are settled")
            return 1
        every_shell_has_seen_the_owner()
        print("accounts-cutover: the identity service signs people in now, in every shell; people signed in at "
              "the monolith sign in once more")
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
    if load_settings().front_door == "shell":
        # The composition shell has no sign-in of its own to fall back to (ADR 0033).
        print("accounts-rollback: the front door is the composition shell, which signs no one in. Start the system "
              "with SYSOPS_FRONT_DOOR=monolith first (the monolith's screens at the front door), then roll back.")
        return 2

    def run(backend, bridge, settings) -> int:
        handover.write_back_pending(backend, bridge)
        # The monolith signs people in again and says who they are in its tokens: it must be believed.
        if keys.restore_user_issuer(settings.keys_dir, "shell"):
            print("accounts-rollback: the monolith names users in tokens again (it was retired as an issuer)")
        with legacy_db(settings.database_url) as session:
            set_owner(session, ACCOUNTS, "legacy")
        every_shell_has_seen_the_owner()  # nothing changes at the monolith's side any more after this
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
