"""How the operator's commands print a reconciliation of a part: one line of counts, then each finding
that needs a person (the first 50), and the exit code (0 when nothing needs one)."""
from __future__ import annotations

from graph_store.reconciliation import Reconciliation


def reconciliation(label: str, found: Reconciliation, record: str) -> int:
    print(f"{label}: {found.checked} checked, {found.matching} matching, {found.not_migrated} not copied, "
          f"{len(found.repaired)} repaired, {len(found.needs_person)} need a person")
    for finding in found.needs_person[:50]:
        print(f"  {record} {finding.ticket_id}: {finding.kind} {finding.differences}")
    return 0 if found.ok else 1
