"""Reconciliation of the tickets (graph_store/reconciliation.py does what every part shares): a ticket
whose legacy content differs from the copy taken is copied again if nobody changed the copy since;
otherwise the finding lists the missed writes for a person to carry over."""
from __future__ import annotations

import datetime as dt
from typing import Any

from graph_store.reconciliation import Reconciliation, compare, record_run, repair_bookkeeping

from .tickets import GraphTickets


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


def reconcile(tickets: GraphTickets, now: dt.datetime | None = None) -> Reconciliation:
    """Compare every legacy ticket with the copy the graph took, make the safe repairs, say what needs a
    person, and record the run for the reports."""
    migration = tickets.migration
    result = compare(migration)
    repair_bookkeeping(result, migration)
    mismatched = {f.ticket_id: f for f in result.findings if f.kind == "mismatched"}
    records = {r["id"]: r for r in migration.bridge.get_legacy_tickets(sorted(mismatched))} if mismatched else {}
    for ticket_id, finding in mismatched.items():
        copy = tickets.record(ticket_id)
        finding.differences = missed_writes(records[ticket_id], copy)
        if copy.get("revision", 1) == 1:
            # Nobody changed the copy since it was taken: take it again, with the missed writes.
            tickets.db.write("MATCH (t:Ticket {id: $id}) OPTIONAL MATCH (t)-[:HAS_EVENT]->(e) "
                             "OPTIONAL MATCH (b:Booking {ticket_id: $id}) OPTIONAL MATCH (s:Survey {ticket_id: $id}) "
                             "DETACH DELETE t, e, b, s", {"id": ticket_id})
            migration.migrate_batch([ticket_id], via="reconciliation")
            finding.action = "repaired"
    record_run(migration.db, result, now or dt.datetime.now(), part="tickets")
    return result
