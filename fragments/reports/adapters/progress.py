"""Migration progress, part by part, from what each owner publishes of its nodes (ticketing's
tickets_v1, the experts' profiles_v1, the knowledge base's articles_v1) and from the monolith's counts."""
from __future__ import annotations

from typing import Any

from bridge_client import BridgeClient
from fragments.customers.published import customers_v1
from fragments.experts.published import profiles_v1
from fragments.knowledge.published import articles_v1
from fragments.ticketing.published.tickets_v1 import TicketRows
from graph_store.backends import GraphBackend
from graph_store.reconciliation import last_run


def migration_progress(db: GraphBackend, bridge: BridgeClient) -> dict[str, Any]:
    """The tickets' migration in detail, and `parts`: each part of the monolith that has moved or is
    moving, what is in the graph, what remains, and what reconciliation says."""
    legacy = bridge.legacy_stats()
    if legacy.get("retired"):
        return _retired(db, bridge)
    counts = TicketRows(db).counts()
    by_via, new = counts["by_via"], counts["new"]
    migrated = sum(by_via.values())
    return {
        "legacy_total": legacy["total"], "graph_migrated": migrated, "remaining": legacy["total"] - migrated,
        "percent_migrated": round(100.0 * migrated / legacy["total"], 2) if legacy["total"] else 100.0,
        "lazy": by_via.get("lazy", 0), "backfill": by_via.get("backfill", 0),
        "commitment": by_via.get("commitment", 0), "reconciliation": by_via.get("reconciliation", 0),
        # copied but the legacy mark not yet set (a crash after the graph write; the backfill sets it)
        "unmarked": max(0, migrated - legacy["migrated"]), "new_tickets": new,
        "frozen_not_copied": max(0, legacy.get("frozen", migrated) - migrated),
        "last_reconciliation": last_run(db),
    } | {"parts": [_tickets_part(legacy, migrated, new, last_run(db)), _experts_part(db, legacy),
                   _knowledge_part(db, bridge), *_customer_parts(db, bridge)]}


def _retired(db: GraphBackend, bridge: BridgeClient) -> dict[str, Any]:
    """Once the monolith is retired (ADR 0036) each part is wholly its service's: what it holds, nothing
    remaining, nothing to reconcile against."""
    counts = TicketRows(db).counts()
    moved = sum(counts["by_via"].values())
    parts = [{"part": "tickets", "in_graph": moved, "new": counts["new"]},
             {"part": "experts' assignment facts", "in_graph": profiles_v1.imported_count(db), "new": 0},
             {"part": "knowledge base", "in_graph": articles_v1.counts(db)["migrated"], "new": articles_v1.counts(db)["new"]},
             *[{"part": p["part"], "in_graph": p["in_graph"], "new": p["new"]} for p in _customer_parts(db, bridge)]]
    return {"retired": True, "legacy_total": moved, "graph_migrated": moved, "remaining": 0, "percent_migrated": 100.0,
            **{via: counts["by_via"].get(via, 0) for via in ("lazy", "backfill", "commitment", "reconciliation")},
            "unmarked": 0, "new_tickets": counts["new"], "frozen_not_copied": 0, "last_reconciliation": last_run(db),
            "parts": [{**p, "legacy": None, "remaining": 0,
                       "reconciliation": "the monolith is retired: every record is held here"} for p in parts]}


def _tickets_part(legacy: dict[str, Any], migrated: int, new: int, run: dict[str, Any] | None) -> dict[str, Any]:
    if not run:
        check = "never reconciled"
    else:
        found = run.get("mismatched", 0) + run.get("missing", 0) + run.get("unmarked", 0)
        check = (f"{run.get('at', '')}: every copy equals its legacy ticket" if not found else
                 f"{run.get('at', '')}: {found} differed, {run.get('repaired', 0)} repaired, "
                 f"{run.get('needs_person', 0)} need a person")
    return {"part": "tickets", "legacy": legacy["total"], "in_graph": migrated, "remaining": legacy["total"] - migrated,
            "new": new, "reconciliation": check}


def _experts_part(db: GraphBackend, legacy: dict[str, Any]) -> dict[str, Any]:
    """Experts' assignment facts (skills, locales, availability): imported once, the graph their master."""
    imported = profiles_v1.imported_count(db)
    total = legacy.get("experts")
    if total is None:  # an older bridge: the count is not known
        return {"part": "experts' assignment facts", "legacy": None, "in_graph": imported, "remaining": None,
                "new": 0, "reconciliation": "the legacy count is not known to this bridge"}
    return {"part": "experts' assignment facts", "legacy": total, "in_graph": imported,
            "remaining": max(0, total - imported), "new": 0,
            "reconciliation": "every profile imported" if imported >= total else
            f"{total - imported} profiles not imported yet (`sysops graph-init` imports them)"}


def _knowledge_part(db: GraphBackend, bridge: BridgeClient) -> dict[str, Any]:
    stats = bridge.article_stats()
    counts = articles_v1.counts(db)
    behind, copied = counts["behind_legacy"], counts["migrated"]
    notes = [f"{stats['frozen'] - copied} frozen, awaiting copy" if stats["frozen"] > copied else "",
             f"{behind} published versions not yet written back to the legacy KB" if behind else ""]
    return {"part": "knowledge base", "legacy": stats["total"], "in_graph": copied,
            "remaining": max(0, stats["total"] - stats["frozen"]), "new": counts["new"],
            "reconciliation": "; ".join(n for n in notes if n) or "every copy taken is in the graph, "
                                                                  "legacy rows current"}


def _customer_parts(db: GraphBackend, bridge: BridgeClient) -> list[dict[str, Any]]:
    """Customers (with their contracts) and the catalogue, held by the customers service (ADR 0025)."""
    counts = customers_v1.held_counts(db)
    stats = {kind: bridge.handover_stats(kind) for kind in ("customers", "products", "plans", "locales")}
    run = last_run(db, "customers")
    behind = counts["behind_legacy"]
    notes = [f"{stats['customers']['frozen'] - counts['legacy']} frozen, awaiting copy"
             if stats["customers"]["frozen"] > counts["legacy"] else "",
             f"{behind} changed here, not yet written back to the legacy row" if behind else "",
             "never reconciled" if run is None else
             f"{run.get('at', '')}: {run.get('needs_person', 0)} need a person, {run.get('repaired', 0)} repaired"]
    catalogue_total = sum(stats[kind]["total"] for kind in ("products", "plans", "locales"))
    catalogue_held = sum(counts[kind] for kind in ("products", "plans", "locales"))
    return [{"part": "customers and contracts", "legacy": stats["customers"]["total"], "in_graph": counts["legacy"],
             "remaining": max(0, stats["customers"]["total"] - counts["legacy"]), "new": counts["new"],
             "reconciliation": "; ".join(n for n in notes if n)},
            {"part": "catalogue (products, plans, locales)", "legacy": catalogue_total, "in_graph": catalogue_held,
             "remaining": max(0, catalogue_total - catalogue_held), "new": 0,
             "reconciliation": "every record held" if catalogue_held >= catalogue_total else
             f"{catalogue_total - catalogue_held} not copied yet"}]
