"""Reconciliation: every legacy ticket's content checksum against the copy the graph took, with what
differs, the safe repairs made, and what needs a person.

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

from bridge_client import BridgeClient

from .backends import GraphBackend
from .migration import Migrator

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


def missed_writes(legacy: dict[str, Any], copy: dict[str, Any]) -> list[str]:
    """What a person needs to carry a legacy change over: the legacy events the copy does not have,
    and the fields whose legacy value differs from the value copied."""
    copied = [e for e in copy["history"] if str(e.get("key", "")).startswith(f"{legacy['id']}:")]
    differences = [f"legacy event not in the copy: {h['at']} {h['actor']} {h['action']}: {h['detail']}"
                   for h in legacy["history"][len(copied):]]
    for name, copied_name in (("status", "legacy_status"), ("description", "description"),
                              ("resolution", "resolution"), ("closed_at", "closed_at")):
        if copy.get("revision", 1) == 1 and legacy.get(name) != copy.get(copied_name):
            differences.append(f"{name}: legacy {legacy.get(name)!r}, copy {copy.get(copied_name)!r}")
    return differences or ["content checksum differs from the one copied"]


def compare(db: GraphBackend, bridge: BridgeClient, page: int = 500) -> Reconciliation:
    result = Reconciliation()
    batch: list[dict] = []

    def flush() -> None:
        graph = {row["id"]: row for row in db.read(
            "UNWIND $ids AS id MATCH (t:Ticket {id: id}) RETURN t.id AS id, t.source_checksum AS checksum",
            {"ids": [item["id"] for item in batch]})}
        for item in batch:
            result.checked += 1
            copy = graph.get(item["id"])
            if copy is None:
                if item["migrated_at"] is not None or item.get("frozen_at") is not None:
                    result.findings.append(Finding(item["id"], "missing", ["frozen in the legacy system, not in "
                                                                           "the graph"], "needs a person"))
                else:
                    result.not_migrated += 1
            elif copy["checksum"] != item["checksum"]:
                result.findings.append(Finding(item["id"], "mismatched", [], "needs a person"))
            else:
                result.matching += 1
                if item["migrated_at"] is None:
                    result.findings.append(Finding(item["id"], "unmarked", ["legacy mark missing"], "needs a person"))
        batch.clear()

    for item in bridge.legacy_checksums(page_size=page):
        batch.append(item)
        if len(batch) >= page:
            flush()
    if batch:
        flush()
    return result


def repair(result: Reconciliation, db: GraphBackend, bridge: BridgeClient, migrator: Migrator,
           find_ticket) -> None:
    """Make the safe repairs; describe the rest."""
    unmarked = result.unmarked
    for start in range(0, len(unmarked), 500):
        migrator.ensure_legacy_marked(unmarked[start:start + 500])
    missing = result.missing
    for start in range(0, len(missing), 500):
        migrator.migrate_batch(missing[start:start + 500], via="reconciliation")
    mismatched = {f.ticket_id: f for f in result.findings if f.kind == "mismatched"}
    records = {r["id"]: r for r in bridge.get_legacy_tickets(sorted(mismatched))} if mismatched else {}
    for ticket_id, finding in mismatched.items():
        copy = find_ticket(ticket_id)
        finding.differences = missed_writes(records[ticket_id], copy)
        if copy.get("revision", 1) == 1:
            # Nobody changed the copy since it was taken: take it again, with the missed writes.
            db.write("MATCH (t:Ticket {id: $id}) OPTIONAL MATCH (t)-[:HAS_EVENT]->(e) "
                     "OPTIONAL MATCH (b:Booking {ticket_id: $id}) OPTIONAL MATCH (s:Survey {ticket_id: $id}) "
                     "DETACH DELETE t, e, b, s", {"id": ticket_id})
            migrator.migrate_batch([ticket_id], via="reconciliation")
            finding.action = "repaired"
    for finding in result.findings:
        if finding.kind in ("unmarked", "missing"):
            finding.action = "repaired"


def record_run(db: GraphBackend, result: Reconciliation, now: dt.datetime) -> None:
    record = {"checked": result.checked, "matching": result.matching, "not_migrated": result.not_migrated,
              "mismatched": len(result.mismatched), "missing": len(result.missing),
              "unmarked": len(result.unmarked), "repaired": len(result.repaired),
              "needs_person": len(result.needs_person), "ok": result.ok,
              "mismatched_ids": result.mismatched[:100], "missing_ids": result.missing[:100],
              "findings": json.dumps([asdict(f) for f in result.findings[:MAX_STORED]])}
    db.write("CREATE (r:MigrationRun {id: $id, kind: 'reconciliation', at: $at}) SET r += $record",
             {"id": f"reconciliation-{now.isoformat()}-{uuid.uuid4().hex[:8]}", "at": now.isoformat(),
              "record": record})


def last_run(db: GraphBackend) -> dict[str, Any] | None:
    rows = db.read("MATCH (r:MigrationRun {kind: 'reconciliation'}) RETURN r {.*} AS run ORDER BY r.at DESC LIMIT 1")
    if not rows:
        return None
    run = rows[0]["run"]
    run["findings"] = json.loads(run.get("findings") or "[]")
    return run
