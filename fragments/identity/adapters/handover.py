"""Sign-in moving from the monolith to this service and back, with the one protocol (graph_store:
freeze, copy, mark, reconcile by checksum, roll back), for the operator's `sysops accounts-cutover`,
`accounts-reconcile` and `accounts-rollback` (docs/adr/0032). Which side signs people in is the part's
owner in the monolith; these steps move the data, the commands flip the owner around them."""
from __future__ import annotations

import datetime as dt

from bridge_client import ACCOUNTS_KIND, BridgeClient
from graph_store.backends import GraphBackend
from graph_store.backfill import BackfillResult
from graph_store.cutover import Rollback, cut_over, roll_back
from graph_store.lazy import LazyMigration
from graph_store.reconciliation import Reconciliation, reconcile_part

from .parts import AccountPart
from .rollback import WRITTEN, AccountRollback

# An account changed here (a hash upgraded at sign-in, a password changed) whose legacy row is behind.
BEHIND = ("MATCH (a:Account) WHERE a.source IS NOT NULL AND a.version > coalesce(a.legacy_version, 0) "
          "RETURN properties(a) AS a ORDER BY a.id LIMIT $n")
WRITTEN_BACK = ("MATCH (a:Account {id: $id}) WHERE a.version = $version SET a.legacy_version = $version "
                "RETURN a.id AS id")


def migration(backend: GraphBackend, bridge: BridgeClient) -> LazyMigration:
    return LazyMigration(backend, bridge, AccountPart())


def take_all(backend: GraphBackend, bridge: BridgeClient, batch_size: int = 200) -> BackfillResult:
    """Every account the monolith has that is not copied yet, copied now (resumable)."""
    return cut_over(migration(backend, bridge), bridge.handover_ids(ACCOUNTS_KIND, migrated="false"),
                    batch_size=batch_size)


def write_back_pending(backend: GraphBackend, bridge: BridgeClient, limit: int = 10_000) -> int:
    """Accounts changed here written back to their legacy rows (old readers, a rollback, and a
    reconciliation that then compares equal). Returns how many."""
    written = 0
    while written < limit and (rows := backend.read(BEHIND, {"n": min(200, limit - written)})):
        for row in rows:
            account = row["a"]
            bridge.write_back_account(account["id"], {name: account.get(name) for name in WRITTEN}
                                      | {"active": bool(account.get("active"))})
            backend.write(WRITTEN_BACK, {"id": account["id"], "version": account["version"]})
            written += 1
    return written


def reconcile(backend: GraphBackend, bridge: BridgeClient, now: dt.datetime | None = None) -> Reconciliation:
    """Changes made here written back first; then every legacy account against the copy, the safe repairs
    made (a missing mark, a frozen account copied), the rest listed for a person; the run recorded."""
    write_back_pending(backend, bridge)
    return reconcile_part(migration(backend, bridge), ACCOUNTS_KIND, now)


def give_back(backend: GraphBackend, bridge: BridgeClient, batch_size: int = 100) -> Rollback:
    """Every account written back whole and released to the monolith; then the copies forgotten."""
    return roll_back(AccountRollback(backend, bridge), batch_size=batch_size)
