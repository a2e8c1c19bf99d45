"""What the operator's commands share: the graph and the monolith opened as the operator's identity,
and how a reconciliation of a part is printed: one line of counts, then each finding that needs a
person (the first 50), and the exit code (0 when nothing needs one)."""
from __future__ import annotations

from typing import Any, Callable

from foundation.config import load_settings
from graph_store.config import open_store
from graph_store.reconciliation import Reconciliation


def on_operator_store(work: Callable[..., Any]) -> Any:
    """`work(backend, bridge)` over the graph and the monolith as the operator's backfill identity."""
    store = open_store(load_settings(), "backfill")
    try:
        return work(store.backend, store.bridge)
    finally:
        store.bridge.close()
        store.close()


def reconciliation(label: str, found: Reconciliation, record: str) -> int:
    print(f"{label}: {found.checked} checked, {found.matching} matching, {found.not_migrated} not copied, "
          f"{len(found.repaired)} repaired, {len(found.needs_person)} need a person")
    for finding in found.needs_person[:50]:
        print(f"  {record} {finding.ticket_id}: {finding.kind} {finding.differences}")
    return 0 if found.ok else 1
