"""Reconciliation, for any part: every legacy record's content checksum against the copy the graph
took, with what differs, the safe repairs made, and what needs a person. The part's owner repairs what
only it can (a mismatched ticket: fragments/ticketing/adapters/reconciliation.py).

- unmarked: in the graph, legacy mark missing (a crash after the write). Repair: the mark.
- missing: frozen or marked in the legacy system, not in the graph (a crash after the freeze).
  Repair: copy it (the freeze returns the same content).
- mismatched: the legacy content differs from what was copied (a write the copy missed: possible
  only before the freeze protocol, or by hand in the database). If nobody has changed the graph copy
  since, it is copied again; otherwise a person must carry the missed writes over, and the finding
  lists them.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from .backends import GraphBackend
from .lazy import LazyMigration

MAX_STORED = 200  # findings kept on the run record (the command prints them all)


@dataclass
class Finding:
    ticket_id: int
    kind: str  # unmarked | missing | mismatched
    differences: list[str]
    action: str  # "repaired" | "needs a person"


@dataclass
class Reconciliation:
    checked: int = 0
    matching: int = 0
    not_migrated: int = 0
    findings: list[Finding] = field(default_factory=list)

    def ids(self, kind: str) -> list[int]:
        return [f.ticket_id for f in self.findings if f.kind == kind]

    @property
    def mismatched(self) -> list[int]:
        return self.ids("mismatched")

    @property
    def missing(self) -> list[int]:
        return self.ids("missing")

    @property
    def unmarked(self) -> list[int]:
        return self.ids("unmarked")

    @property
    def repaired(self) -> list[int]:
        return [f.ticket_id for f in self.findings if f.action == "repaired"]

    @property
    def needs_person(self) -> list[Finding]:
        return [f for f in self.findings if f.action != "repaired"]

    @property
    def ok(self) -> bool:
        """Nothing left that a person must look at (repaired findings are fine)."""
        return not self.needs_person


def compare(migration: LazyMigration, page: int = 500) -> Reconciliation:
    """Every legacy record of the migration's part against the graph's copy, a page at a time."""
    part, db = migration.part, migration.db
    result = Reconciliation()
    batch: list[dict] = []

    def flush() -> None:
        copied = part.copied_checksums(db, [item["id"] for item in batch])
        for item in batch:
            result.checked += 1
            if item["id"] not in copied:
                if item["migrated_at"] is not None or item.get("frozen_at") is not None:
                    result.findings.append(Finding(item["id"], "missing", ["frozen in the legacy system, not in "
                                                                           "the graph"], "needs a person"))
                else:
                    result.not_migrated += 1
            elif copied[item["id"]] != item["checksum"]:
                result.findings.append(Finding(item["id"], "mismatched", [], "needs a person"))
            else:
                result.matching += 1
                if item["migrated_at"] is None:
                    result.findings.append(Finding(item["id"], "unmarked", ["legacy mark missing"], "needs a person"))
        batch.clear()

    for item in part.legacy_checksums(migration.bridge, page):
        batch.append(item)
        if len(batch) >= page:
            flush()
    if batch:
        flush()
    return result


def confirmed(migration: LazyMigration, result: Reconciliation, page: int = 500) -> Reconciliation:
    """A record changed while it was compared (a change saved here and being written back, under live
    traffic) differs once and then no more: the records that differed are compared once again, and only
    what differs both times is left for a person."""
    if not result.mismatched:
        return result
    still = set(compare(migration, page).mismatched)
    settled = [f for f in result.findings if f.kind == "mismatched" and f.ticket_id not in still]
    result.findings = [f for f in result.findings if f not in settled]
    result.matching += len(settled)
    return result


def repair_bookkeeping(result: Reconciliation, migration: LazyMigration) -> None:
    """The repairs every part can make: the legacy mark set, a frozen record copied again."""
    unmarked = result.unmarked
    for start in range(0, len(unmarked), 500):
        migration.ensure_legacy_marked(unmarked[start:start + 500])
    missing = result.missing
    for start in range(0, len(missing), 500):
        migration.migrate_batch(missing[start:start + 500], via="reconciliation")
    for finding in result.findings:
        if finding.kind in ("unmarked", "missing"):
            finding.action = "repaired"


def reconcile_part(migration: LazyMigration, part: str, now: dt.datetime | None = None) -> Reconciliation:
    """The whole of a part's reconciliation when its owner has nothing of its own to repair: compare every
    record, make the safe repairs, record the run under the part's name."""
    result = confirmed(migration, compare(migration))
    repair_bookkeeping(result, migration)
    record_run(migration.db, result, now or dt.datetime.now(), part=part)
    return result


def record_run(db: GraphBackend, result: Reconciliation, now: dt.datetime, part: str = "tickets") -> None:
    record = {"checked": result.checked, "matching": result.matching, "not_migrated": result.not_migrated,
              "mismatched": len(result.mismatched), "missing": len(result.missing),
              "unmarked": len(result.unmarked), "repaired": len(result.repaired),
              "needs_person": len(result.needs_person), "ok": result.ok,
              "mismatched_ids": result.mismatched[:100], "missing_ids": result.missing[:100],
              "findings": json.dumps([asdict(f) for f in result.findings[:MAX_STORED]])}
    db.write("CREATE (r:MigrationRun {id: $id, kind: 'reconciliation', part: $part, at: $at}) SET r += $record",
             {"id": f"reconciliation-{now.isoformat()}-{uuid.uuid4().hex[:8]}", "at": now.isoformat(), "part": part,
              "record": record})


def last_run(db: GraphBackend, part: str = "tickets") -> dict[str, Any] | None:
    """The part's latest run (runs recorded before runs named their part were the tickets')."""
    rows = db.read("MATCH (r:MigrationRun {kind: 'reconciliation'}) WHERE coalesce(r.part, 'tickets') = $part "
                   "RETURN r {.*} AS run ORDER BY r.at DESC LIMIT 1", {"part": part})
    if not rows:
        return None
    run = rows[0]["run"]
    run["findings"] = json.loads(run.get("findings") or "[]")
    return run
