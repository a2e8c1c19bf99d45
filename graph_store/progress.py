"""Migration progress and reconciliation, readable by the reports fragment."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from bridge_client import BridgeClient

from .backends import GraphBackend


@dataclass
class Reconciliation:
    checked: int = 0
    matching: int = 0
    mismatched: list[int] = field(default_factory=list)  # legacy content differs from what was migrated
    missing: list[int] = field(default_factory=list)  # legacy says migrated, graph lacks it
    unmarked: list[int] = field(default_factory=list)  # in the graph, legacy row not yet marked (repairable)
    not_migrated: int = 0

    @property
    def ok(self) -> bool:
        return not self.mismatched and not self.missing


def migration_progress(db: GraphBackend, bridge: BridgeClient) -> dict[str, Any]:
    legacy = bridge.legacy_stats()
    rows = db.read("MATCH (t:Ticket {source: 'legacy'}) RETURN t.migrated_via AS via, count(t) AS n, "
                   "sum(CASE WHEN t.legacy_marked THEN 0 ELSE 1 END) AS unmarked")
    by_via = {row["via"]: row["n"] for row in rows}
    migrated = sum(by_via.values())
    last = db.read("MATCH (r:MigrationRun {kind: 'reconciliation'}) RETURN r {.*} AS run ORDER BY r.at DESC LIMIT 1")
    new = db.read("MATCH (t:Ticket {source: 'new'}) RETURN count(t) AS n")[0]["n"]
    return {
        "legacy_total": legacy["total"], "graph_migrated": migrated, "remaining": legacy["total"] - migrated,
        "percent_migrated": round(100.0 * migrated / legacy["total"], 2) if legacy["total"] else 100.0,
        "lazy": by_via.get("lazy", 0), "backfill": by_via.get("backfill", 0),
        "unmarked": int(sum(row["unmarked"] for row in rows)), "new_tickets": new,
        "last_reconciliation": last[0]["run"] if last else None,
    }


def reconcile(db: GraphBackend, bridge: BridgeClient, now: dt.datetime, page: int = 500) -> Reconciliation:
    """Compare every legacy ticket's checksum with the graph copy's source checksum; record the run."""
    result = Reconciliation()
    batch: list[dict] = []

    def flush() -> None:
        graph = {row["id"]: row for row in db.read(
            "UNWIND $ids AS id MATCH (t:Ticket {id: id}) RETURN t.id AS id, t.source_checksum AS checksum, "
            "t.legacy_marked AS marked", {"ids": [item["id"] for item in batch]})}
        for item in batch:
            result.checked += 1
            copy = graph.get(item["id"])
            if copy is None:
                if item["migrated_at"] is not None:
                    result.missing.append(item["id"])
                else:
                    result.not_migrated += 1
            elif copy["checksum"] != item["checksum"]:
                result.mismatched.append(item["id"])
            else:
                result.matching += 1
                if not copy["marked"] or item["migrated_at"] is None:
                    result.unmarked.append(item["id"])
        batch.clear()

    for item in bridge.legacy_checksums(page_size=page):
        batch.append(item)
        if len(batch) >= page:
            flush()
    if batch:
        flush()
    record = {k: v for k, v in asdict(result).items() if not isinstance(v, list)}
    record.update(mismatched=len(result.mismatched), missing=len(result.missing), unmarked=len(result.unmarked),
                  mismatched_ids=result.mismatched[:100], missing_ids=result.missing[:100], ok=result.ok)
    db.write("CREATE (r:MigrationRun {id: $id, kind: 'reconciliation', at: $at}) SET r += $record",
             {"id": f"reconciliation-{now.isoformat()}-{uuid.uuid4().hex[:8]}", "at": now.isoformat(),
              "record": record})
    return result
