"""What the operator's commands share: the graph and the monolith opened as the operator's identity,
and how a reconciliation of a part is printed: one line of counts, then each finding that needs a
person (the first 50), and the exit code (0 when nothing needs one)."""
from __future__ import annotations

from typing import Any, Callable

from foundation.config import Settings, load_settings
from graph_store import GraphConnection
from graph_store.config import open_store
from graph_store.reconciliation import Reconciliation

# The operator's commands (take-overs, backfills, reconciliations) are on nobody's request path: a batch a
# busy monolith answers in 20 s is better waited for than failed and repeated (ADR 0040).
OPERATOR_READ_TIMEOUT_S = 30.0


def operator_store(settings: Settings | None = None) -> GraphConnection:
    """The graph and the monolith as the operator's identity (`backfill`), waiting for the monolith as long
    as a batch may take."""
    return open_store(settings or load_settings(), "backfill", bridge_read_timeout=OPERATOR_READ_TIMEOUT_S)


def on_operator_store(work: Callable[..., Any]) -> Any:
    """`work(backend, bridge)` over the graph and the monolith as the operator's backfill identity."""
    store = operator_store()
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
