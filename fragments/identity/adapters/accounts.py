"""The accounts the identity service holds, in the graph: taken over from the monolith (one at its first
sign-in here, the rest by backfill or cut-over), with the freeze protocol every part uses."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bridge_client import BridgeClient, Unavailable
from graph_store.backends import GraphBackend, GraphUnavailable
from graph_store.errors import MigrationUnavailable
from graph_store.lazy import LazyMigration

from ..domain.accounts import Account
from ..services.ports import StoreUnavailable
from .parts import AccountMissing, AccountPart

ACCOUNT = "a {.id, .username, .password_hash, .role, .display_name, .customer_id, .expert_id, .active} AS account"
BY_NAME = f"MATCH (a:Account {{username: $username}}) WHERE a.source IS NOT NULL RETURN {ACCOUNT}"
SEARCH = (f"MATCH (a:Account) WHERE a.source IS NOT NULL AND ($words = '' OR toLower(a.username) CONTAINS $words "
          f"OR toLower(a.display_name) CONTAINS $words) RETURN {ACCOUNT} ORDER BY a.username LIMIT $limit")
BY_ID = f"MATCH (a:Account {{id: $id}}) WHERE a.source IS NOT NULL RETURN {ACCOUNT}"
# A new hash (an upgrade at sign-in, a changed password): the one property set, the version moved on.
SET_HASH = ("MATCH (a:Account {id: $id}) WHERE a.source IS NOT NULL "
            "SET a.password_hash = $hash, a.version = a.version + 1, a.updated_at = $at RETURN a.id AS id")


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
        monolith has none. StoreUnavailable if it cannot be asked: asked before anything is known of the
        name, so the answer says nothing about whether the account exists."""
        try:
            account_id = self.bridge.account_named(username)
            if account_id is None:
                return None
            self.migration.migrate(account_id, "sign-in")
        except AccountMissing:
            return None
        except (Unavailable, MigrationUnavailable) as exc:
            raise StoreUnavailable(f"the monolith holds this name's account and does not answer: {exc}") from exc
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
