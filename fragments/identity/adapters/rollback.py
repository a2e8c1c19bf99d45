"""Going back: sign-in handed back to the monolith, as graph_store/cutover.py's rollback sees a part
(docs/adr/0032). Every account the service holds is written back whole (its password hash as it is
now: upgraded at a sign-in here, or changed here), then its legacy row is released, unfrozen and
unmarked; only once all are back does the graph forget them. Sessions are the service's alone: people
sign in again at the monolith."""
from __future__ import annotations

from typing import Any

from bridge_client import ACCOUNTS_KIND, BridgeClient
from graph_store.backends import GraphBackend

# What the monolith keeps of an account, written back whole.
WRITTEN = ("username", "password_hash", "role", "display_name", "customer_id", "expert_id", "active")


class AccountRollback:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db, self.bridge = backend, bridge

    def ids_after(self, after: int, limit: int) -> list[int]:
        return [row["id"] for row in self.db.read(
            "MATCH (a:Account) WHERE a.id > $after AND a.source IS NOT NULL RETURN a.id AS id ORDER BY id LIMIT $n",
            {"after": after, "n": limit})]

    def legacy_records(self, ids: list[int]) -> list[dict[str, Any]]:
        rows = self.db.read("UNWIND $ids AS id MATCH (a:Account {id: id}) RETURN properties(a) AS a", {"ids": ids})
        return [{"id": row["a"]["id"], **{name: row["a"].get(name) for name in WRITTEN}} for row in rows]

    def write_back(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.bridge.write_back_account(record["id"], {name: record[name] for name in WRITTEN}
                                           | {"active": bool(record["active"])})
        self.bridge.release_handover(ACCOUNTS_KIND, [record["id"] for record in records])

    def forget(self, limit: int) -> int:
        rows = self.db.write("MATCH (a:Account) WHERE a.source IS NOT NULL WITH a LIMIT $n DETACH DELETE a "
                             "RETURN count(*) AS n", {"n": limit})
        return int(rows[0]["n"]) if rows else 0
