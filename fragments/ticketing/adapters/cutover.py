"""The day the new ticketing is switched on, and the day it is switched off again.

Cut-over: open legacy work (open, assigned, in progress) moves to the graph eagerly, with the slots it
holds, so assignment and My work see all of it from the first minute; closed and cancelled tickets
stay lazy (first read, or the backfill at leisure).

Rollback: every ticket the graph holds (new ones and migrated ones, with all their history) is
written back into the legacy schema through the bridge, then removed from the graph, so the monolith
serves and edits them again and a later cut-over copies them afresh. Both are resumable: run again
after any interruption.
"""
from __future__ import annotations

from typing import Any, Callable

from foundation.vocabulary import LEGACY_ACCEPTED, LEGACY_OPEN
from graph_store.backfill import BackfillResult
from graph_store.cutover import Rollback
from graph_store.cutover import cut_over as cut_over_part
from graph_store.cutover import roll_back as roll_back_part

from .surveys import GraphSurveys
from .tickets import GraphTickets

GRAPH_TO_LEGACY = {"new": "open", "offered": "open", "unassigned": "open", "assigned": "assigned",
                   "in_progress": "in_progress", "closed": "closed", "cancelled": "cancelled"}


def cut_over(tickets: GraphTickets, *, batch_size: int = 200,
             on_progress: Callable[[int], None] | None = None) -> BackfillResult:
    """Migrate every open legacy ticket now (the lazy path's own batched, create-only write)."""
    ids = tickets.bridge.legacy_ticket_ids(migrated="false", statuses=LEGACY_OPEN, page_size=max(batch_size, 100))
    return cut_over_part(tickets.migration, ids, batch_size=batch_size, on_progress=on_progress)


def legacy_record(ticket: dict[str, Any], survey: dict[str, Any] | None) -> dict[str, Any]:
    """A graph ticket in the shape the bridge's writeback takes (the legacy schema's)."""
    status = GRAPH_TO_LEGACY[ticket["status"]]
    accepted = [a for a in ticket["allocations"] if a.get("state") == "accepted"]
    expert = accepted[-1]["expert_id"] if accepted and status in LEGACY_ACCEPTED else None
    history = [{"at": e["at"], "actor": e["actor"], "action": e["action"], "detail": e["detail"]}
               for e in ticket["history"]]
    return {"id": ticket["id"], "reference": ticket["reference"], "status": status, "channel": ticket["channel"],
            "description": ticket["description"], "customer_id": ticket["customer_id"],
            "contract_id": ticket["contract_id"], "product_id": ticket["product_id"], "assigned_expert_id": expert,
            "created_at": ticket["created_at"], "updated_at": ticket.get("updated_at") or ticket["created_at"],
            "closed_at": ticket.get("closed_at") if status == "closed" else None,
            "resolution": ticket.get("resolution") if status == "closed" else None,
            "slots": list(ticket.get("slots") or []), "history": history,
            "survey": {"answered_at": survey["answered_at"], "score": survey["score"],
                       "comment": survey.get("comment") or ""} if survey else None}


class TicketRollback:
    """Tickets as graph_store.cutover's rollback sees them."""

    def __init__(self, tickets: GraphTickets):
        self.tickets = tickets
        self.surveys = GraphSurveys(tickets.db)

    def ids_after(self, after: int, limit: int) -> list[int]:
        return [row["id"] for row in self.tickets.db.read(
            "MATCH (t:Ticket) WHERE t.id > $after RETURN t.id AS id ORDER BY id LIMIT $n", {"after": after, "n": limit})]

    def legacy_records(self, ids: list[int]) -> list[dict[str, Any]]:
        return [legacy_record(t, self.surveys.find(t["id"])) for t in self.tickets.records(ids)]

    def write_back(self, records: list[dict[str, Any]]) -> None:
        self.tickets.bridge.write_back(records)

    def forget(self, limit: int) -> int:
        """The id counter stays, so ids are never reused; each ticket's report day is marked changed."""
        removed = self.tickets.db.write(
            "MATCH (t:Ticket) WITH t LIMIT $n OPTIONAL MATCH (t)-[:HAS_EVENT]->(e:Event) "
            "OPTIONAL MATCH (s:Survey {ticket_id: t.id}) OPTIONAL MATCH (b:Booking {ticket_id: t.id}) "
            "WITH collect(DISTINCT t) AS ts, collect(DISTINCT e) AS es, collect(DISTINCT s) AS ss, "
            "collect(DISTINCT b) AS bs, collect(DISTINCT t.created_day) AS days "
            "FOREACH (day IN days | MERGE (r:ReportDay {day: day}) SET r.version = coalesce(r.version, 0) + 1) "
            "FOREACH (x IN es | DETACH DELETE x) FOREACH (x IN ss | DETACH DELETE x) "
            "FOREACH (x IN bs | DETACH DELETE x) FOREACH (x IN ts | DETACH DELETE x) "
            "RETURN size(ts) AS n", {"n": limit})
        return removed[0]["n"] if removed else 0


def roll_back(tickets: GraphTickets, *, batch_size: int = 100,
              on_progress: Callable[[int], None] | None = None) -> Rollback:
    """Write every graph ticket back to the legacy system, then empty the graph of tickets."""
    return roll_back_part(TicketRollback(tickets), batch_size=batch_size, on_progress=on_progress)
