"""Login accounts as a part of the monolith that moves into the graph (graph_store/lazy.py: freeze,
copy, mark; reconcile by checksum). The copy keeps the password hash as the monolith had it; the
service upgrades it at the account's next sign-in (services/sign_in.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bridge_client import ACCOUNTS_KIND, record_checksum
from foundation.vocabulary import iso
from graph_store.backends import GraphBackend
from graph_store.lazy import HandoverPart

MAPPING_VERSION = 1
# The published content (bridge_api.serializers.account_content) the checksum covers.
FIELDS = ("username", "password_hash", "role", "display_name", "customer_id", "expert_id", "active", "created_at",
          "last_login_at")

# Create-only (graph_store/lazy.py): only the call that created the node fills it in. Nulls are left out
# of the content (an absent property reads as null), so no SET removes anything (ADR 0030).
WRITE_ACCOUNTS = """
UNWIND $items AS s
MERGE (a:Account {id: s.key})
ON CREATE SET a.migration_token = $token
WITH a, s WHERE a.migration_token = $token
SET a += s.content, a += s.meta
RETURN a.id AS id
"""


class AccountMissing(Exception):
    pass


def account_content(node: dict[str, Any]) -> dict[str, Any]:
    """A held account's content in the bridge's published shape (what the checksum covers)."""
    return {"id": node["id"], **{name: node.get(name) for name in FIELDS}}


class AccountPart(HandoverPart):
    name = ACCOUNTS_KIND
    write_query = WRITE_ACCOUNTS

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        content = {name: record.get(name) for name in FIELDS if record.get(name) is not None}
        return {"key": record["id"], "content": content,
                "meta": {"source": "legacy", "migrated_via": via, "migrated_at": iso(now), "version": 1,
                         "legacy_version": 1, "source_checksum": record["checksum"],
                         "mapping_version": MAPPING_VERSION}}

    def missing(self, record_id: int) -> Exception:
        return AccountMissing(f"no account {record_id}")

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("UNWIND $ids AS id MATCH (a:Account {id: id}) WHERE a.source IS NOT NULL "
                            "RETURN properties(a) AS a", {"ids": list(ids)})
        return {row["a"]["id"]: record_checksum(account_content(row["a"])) for row in rows}
