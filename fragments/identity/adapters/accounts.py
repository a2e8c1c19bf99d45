"""The accounts the identity service holds, in the graph: taken over from the monolith (one at its first
sign-in here, the rest by backfill or cut-over), with the freeze protocol every part uses."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bridge_client import BridgeClient, Unavailable
from graph_store.backends import GraphBackend, GraphUnavailable
from graph_store.errors import MigrationUnavailable
from graph_store.lazy import LazyMigration
from graph_store.writes import removing, set_apart

from ..domain.accounts import Account, AccountDraft
from ..services.ports import NameTaken, StoreUnavailable
from .parts import AccountMissing, AccountPart

log = logging.getLogger(__name__)
ACCOUNT = "a {.id, .username, .password_hash, .role, .display_name, .customer_id, .expert_id, .active} AS account"
BY_NAME = f"MATCH (a:Account {{username: $username}}) WHERE a.source IS NOT NULL RETURN {ACCOUNT}"
SEARCH = (f"MATCH (a:Account) WHERE a.source IS NOT NULL AND ($words = '' OR toLower(a.username) CONTAINS $words "
          f"OR toLower(a.display_name) CONTAINS $words) RETURN {ACCOUNT} ORDER BY a.username LIMIT $limit")
BY_ID = f"MATCH (a:Account {{id: $id}}) WHERE a.source IS NOT NULL RETURN {ACCOUNT}"
# A new hash (an upgrade at sign-in, a changed password): the one property set, the version moved on.
SET_HASH = ("MATCH (a:Account {id: $id}) WHERE a.source IS NOT NULL "
            "SET a.password_hash = $hash, a.version = a.version + 1, a.updated_at = $at RETURN a.id AS id")
# Accounts opened here take ids from a counter above every legacy id (as new tickets and contracts do),
# and the name must be free: one statement, so two admins opening the same name make one account.
NEW_ID_BASE = 10_000_000
CREATE = f"""
OPTIONAL MATCH (x:Account {{username: $username}})
WITH count(x) AS taken WHERE taken = 0
OPTIONAL MATCH (m:Account) WHERE m.id >= $base
WITH taken, coalesce(max(m.id), 0) AS top
MERGE (c:Counter {{name: 'account'}}) ON CREATE SET c.value = $base
SET c.value = CASE WHEN top > c.value THEN top ELSE c.value END + 1
WITH c.value AS id
CREATE (a:Account {{id: id, username: $username, password_hash: $hash, role: $role, display_name: $display_name,
                   customer_id: $customer_id, expert_id: $expert_id, active: true, created_at: $at,
                   source: 'new', version: 1, legacy_version: 0, updated_at: $at, updated_by: $by}})
RETURN {ACCOUNT}
"""
# An admin's change: the version moved on (the legacy row is written back from it); an emptied link is
# removed by a SET of its own (ADR 0030).
UPDATE = (f"MATCH (a:Account {{id: $id}}) WHERE a.source IS NOT NULL "
          f"SET a += $values, a.version = a.version + 1, a.updated_at = $at, a.updated_by = $by "
          f"{removing('a')} RETURN {ACCOUNT}")


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def _account(row: dict[str, Any]) -> Account:
    a = row["account"]
    return Account(int(a["id"]), a["username"], a["password_hash"], a["role"], a["display_name"] or a["username"],
                   a.get("customer_id"), a.get("expert_id"), bool(a.get("active")))


class GraphAccounts:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.migration = LazyMigration(backend, bridge, AccountPart())

    def named(self, username: str) -> Account | None:
        try:
            rows = self.db.read(BY_NAME, {"username": username})
            if rows:
                return _account(rows[0])
            return self._take_over(username)
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _take_over(self, username: str) -> Account | None:
        """The monolith's account of that name, copied here now (its first sign-in here); None if the
        monolith has none, or does not answer (frozen, gone): a name this service does not hold then gets
        the same answer as a wrong password, never a different one that would tell who has an account."""
        try:
            account_id = self.bridge.account_named(username)
            if account_id is None:
                return None
            self.migration.migrate(account_id, "sign-in")
        except AccountMissing:
            return None
        except (Unavailable, MigrationUnavailable) as exc:
            log.warning("a name not held here was not looked up in the monolith (%s): refused as unknown", exc)
            return None
        rows = self.db.read(BY_ID, {"id": account_id})
        return _account(rows[0]) if rows else None

    def get(self, account_id: int) -> Account | None:
        try:
            rows = self.db.read(BY_ID, {"id": account_id})
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
        return _account(rows[0]) if rows else None

    def search(self, words: str, limit: int) -> list[Account]:
        try:
            return [_account(row) for row in self.db.read(SEARCH, {"words": words.casefold(), "limit": limit})]
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    def set_password_hash(self, account_id: int, password_hash: str) -> None:
        try:
            self.db.write(SET_HASH, {"id": account_id, "hash": password_hash,
                                     "at": dt.datetime.now().replace(microsecond=0).isoformat()})
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    def create(self, draft: AccountDraft, password_hash: str, by: str) -> Account:
        if self._monolith_holds(draft.username):
            raise NameTaken(draft.username)
        try:
            rows = self.db.write(CREATE, {"username": draft.username, "hash": password_hash, "role": draft.role,
                                          "display_name": draft.display_name, "customer_id": draft.customer_id,
                                          "expert_id": draft.expert_id, "at": _now(), "by": by, "base": NEW_ID_BASE})
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
        if not rows:
            raise NameTaken(draft.username)
        return _account(rows[0])

    def _monolith_holds(self, username: str) -> bool:
        """Whether the monolith has an account of this name not copied here yet. After the cut-over every
        account is copied and the monolith opens none, so a monolith that does not answer (or is gone)
        holds none that matters: the name is checked here."""
        try:
            return self.bridge.account_named(username) is not None
        except Unavailable:
            return False

    def update(self, account_id: int, draft: AccountDraft, by: str) -> Account | None:
        values, removed = set_apart({"display_name": draft.display_name, "role": draft.role,
                                     "customer_id": draft.customer_id, "expert_id": draft.expert_id})
        return self._changed(UPDATE, {"id": account_id, "values": values, "removed": removed, "by": by})

    def set_active(self, account_id: int, active: bool, by: str) -> Account | None:
        return self._changed(UPDATE, {"id": account_id, "values": {"active": active}, "removed": [], "by": by})

    def _changed(self, query: str, params: dict[str, Any]) -> Account | None:
        try:
            rows = self.db.write(query, {**params, "at": _now()})
        except GraphUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
        return _account(rows[0]) if rows else None
