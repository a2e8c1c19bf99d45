"""Migration progress, readable by the reports fragment."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bridge_client import BridgeClient

from .backends import GraphBackend
from .reconciliation import last_run


def migration_progress(db: GraphBackend, bridge: BridgeClient) -> dict[str, Any]:
    legacy = bridge.legacy_stats()
    rows = db.read("MATCH (t:Ticket {source: 'legacy'}) RETURN t.migrated_via AS via, count(t) AS n")
    by_via = {row["via"]: row["n"] for row in rows}
    migrated = sum(by_via.values())
    new = db.read("MATCH (t:Ticket {source: 'new'}) RETURN count(t) AS n")[0]["n"]
    return {
        "legacy_total": legacy["total"], "graph_migrated": migrated, "remaining": legacy["total"] - migrated,
        "percent_migrated": round(100.0 * migrated / legacy["total"], 2) if legacy["total"] else 100.0,
        "lazy": by_via.get("lazy", 0), "backfill": by_via.get("backfill", 0),
        "commitment": by_via.get("commitment", 0), "reconciliation": by_via.get("reconciliation", 0),
        # copied but the legacy mark not yet set (a crash after the graph write; the backfill sets it)
        "unmarked": max(0, migrated - legacy["migrated"]), "new_tickets": new,
        "frozen_not_copied": max(0, legacy.get("frozen", migrated) - migrated),
        "last_reconciliation": last_run(db),
    }
