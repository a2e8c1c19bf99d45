"""Migrate-on-read of legacy tickets, through the bridge, into the graph (then the master copy).

Per ticket (or per batch of tickets, for the backfill), in this order (docs/adr/0006):
1. freeze: the bridge stops the legacy system accepting writes to the ticket and returns it as of
   that moment, in one legacy transaction. Every write the legacy system ever answered "saved" is in
   that record; every later one is refused. Idempotent: a ticket frozen before returns the same content.
2. write the whole subgraph in ONE query, create-only: the ticket node is MERGEd with a one-off
   token set only ON CREATE, and everything else is written only if this call created it. A
   concurrent or replayed migration therefore writes nothing, and an edit made in the graph since
   is never overwritten. A batch is one query too (one round trip, one fsync for all its tickets).
3. mark the legacy row migrated (bookkeeping: the freeze already stopped legacy writes).

A crash after 1 leaves a frozen ticket that is not in the graph: the next read, the backfill (which
walks unmarked tickets) or reconciliation freezes it again (same content) and writes it. A crash
after 2 leaves the legacy mark missing: the ticket is frozen and in the graph, so nothing is wrong
but the bookkeeping, and the backfill or reconciliation sets the mark. Every crash point converges
to graph == legacy at the freeze. (The node carries no mark of its own: setting a flag on every
node of a batch cost the backfill ~10%, and "frozen" on the legacy side already says where a
ticket's master is.)
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Iterator

from bridge_client import BridgeClient
from foundation.vocabulary import LEGACY_HOLDING, STAFF_ROLES, iso
from graph_store.backends import GraphBackend
from graph_store.backfill import BackfillResult, backfill_ids
from graph_store.lazy import LazyMigration

from ..domain.survey_forms import legacy_key
from ..published.tickets_v1 import LEGACY_STATUS, day_number, legacy_allocation, touch_report_day
from ..services.ports import TicketNotFound
from .offers import booking_key
from .surveys import RESCORE_MANY

MAPPING_VERSION = 3  # 2: bookings for open legacy work, carried-over surveys; 3: their templates and answers

WRITE_SUBGRAPHS = f"""
UNWIND $items AS s
MERGE (t:Ticket {{id: s.ticket.id}})
ON CREATE SET t += s.ticket, t.migration_token = $token
WITH t, s WHERE t.migration_token = $token
MERGE (c:Customer {{id: s.ticket.customer_id}})
MERGE (k:Contract {{id: s.ticket.contract_id}})
MERGE (p:Product {{id: s.ticket.product_id}})
MERGE (l:Locale {{id: s.ticket.locale_id}})
CREATE (t)-[:RAISED_FOR]->(c), (t)-[:AGAINST]->(k), (t)-[:ABOUT]->(p), (t)-[:LOCATED_IN]->(l)
MERGE (c)-[:SUBSCRIBES_TO]->(k)
MERGE (k)-[:APPLIES_TO]->(p)
FOREACH (h IN s.history | CREATE (t)-[:HAS_EVENT]->(:Event {{key: h.key, seq: h.seq, at: h.at, actor: h.actor,
                                                             action: h.action, detail: h.detail}}))
FOREACH (a IN s.allocations |
  MERGE (x:Expert {{id: a.expert_id}})
  CREATE (x)-[:ALLOCATED {{state: a.state, accepted: a.accepted, at: a.at, slot: a.slot, source: 'legacy'}}]->(t))
FOREACH (b IN s.bookings |
  MERGE (x:Expert {{id: b.expert_id}})
  MERGE (booking:Booking {{key: b.key}})
  ON CREATE SET booking.expert_id = b.expert_id, booking.starts_at = b.starts_at, booking.ticket_id = b.ticket_id,
                booking.state = 'booked', booking.source = 'legacy'
  MERGE (x)-[:HOLDS]->(booking))
FOREACH (v IN s.survey |
  MERGE (sv:Survey {{ticket_id: v.ticket_id}}) ON CREATE SET sv += v
  MERGE (sv)-[:REGARDING]->(t))
FOREACH (u IN s.staff | MERGE (staff:CallCentreStaff {{username: u}}) CREATE (t)-[:CREATED_BY]->(staff))
FOREACH (_ IN s.by_customer | CREATE (t)-[:CREATED_BY]->(c))
{touch_report_day("t")}
RETURN t.id AS id
"""

def graph_shape(legacy: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
    """The bridge's v1 legacy ticket as the graph's properties and related records (mapping v2).

    Open legacy work (assigned or in progress) holds EVERY slot the customer chose for its expert:
    the legacy system never recorded which of them was the appointment, so none may be given to
    anyone else (docs/adr/0011). The allocation's `slot` is the earliest, shown as the appointment."""
    history = [{"key": f"{legacy['id']}:{n}", "seq": n, "at": h["at"], "actor": h["actor"], "action": h["action"],
                "detail": h["detail"]} for n, h in enumerate(legacy["history"], 1)]
    ticket = {
        "id": legacy["id"], "reference": legacy["reference"], "status": LEGACY_STATUS[legacy["status"]],
        "legacy_status": legacy["status"], "channel": legacy["channel"], "description": legacy["description"],
        "customer_id": legacy["customer_id"], "contract_id": legacy["contract_id"],
        "product_id": legacy["product_id"], "locale_id": legacy["locale_id"], "slots": legacy["slots"],
        "created_at": legacy["created_at"], "created_day": day_number(legacy["created_at"]),
        "updated_at": legacy["updated_at"], "closed_at": legacy["closed_at"],
        "resolution": legacy["resolution"], "source": "legacy", "migrated_via": via, "migrated_at": iso(now),
        "source_checksum": legacy["checksum"], "mapping_version": MAPPING_VERSION,
        "revision": 1, "event_count": len(history),
        "reopened_count": sum(1 for h in legacy["history"] if h["action"] == "status"
                              and h["detail"].startswith("closed -> ")),
    }
    expert_id = legacy["assigned_expert_id"]
    allocation = legacy_allocation(legacy["status"], expert_id,
                                   next((h["at"] for h in history if h["action"] == "assigned"), None),
                                   legacy["created_at"])
    allocations = [{**allocation, "slot": min(legacy["slots"])}] if allocation else []
    bookings = []
    if expert_id is not None:
        if legacy["status"] in LEGACY_HOLDING:
            bookings = [{"key": booking_key(expert_id, slot), "expert_id": expert_id, "starts_at": slot,
                         "ticket_id": legacy["id"]} for slot in legacy["slots"]]
    surveys = legacy_surveys(legacy, expert_id)
    sent = legacy.get("survey_sent")
    if sent and sent.get("template_id"):  # asked and not answered yet: answered here, to those questions
        ticket.update(survey_template=legacy_key(sent["template_id"]), survey_template_version=1)
    creator = legacy.get("created_by") or {}
    return {"key": legacy["id"], "ticket": ticket, "history": history, "allocations": allocations, "bookings": bookings,
            "survey": surveys, "staff": [creator["username"]] if creator.get("role") in STAFF_ROLES else [],
            "by_customer": [True] if creator.get("role") == "customer" else []}


def legacy_surveys(legacy: dict[str, Any], expert_id: int | None) -> list[dict[str, Any]]:
    """An answered legacy survey (at most one), with the template it was answered under and each answer."""
    survey = legacy.get("survey")
    if not survey or expert_id is None:
        return []
    carried = {"ticket_id": legacy["id"], "expert_id": expert_id, "customer_id": legacy["customer_id"],
               "score": survey["score"], "comment": survey["comment"], "answered_at": survey["answered_at"],
               "source": "legacy"}
    if survey.get("template_id"):
        carried.update(template=legacy_key(survey["template_id"]), template_version=1,
                       answers=json.dumps(survey.get("answers") or []))
    return [carried]


class TicketPart:
    """Tickets as a part of the monolith that moves (graph_store/lazy.py)."""

    name = "tickets"
    write_query = WRITE_SUBGRAPHS

    def freeze(self, bridge: BridgeClient, ids: list[int],
               reader: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return bridge.freeze_legacy_tickets(ids, reader=reader)

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        return graph_shape(record, via, now)

    def mark(self, bridge: BridgeClient, ids: list[int]) -> None:
        if len(ids) == 1:
            bridge.mark_migrated(ids[0])
        else:
            bridge.mark_migrated_many(ids)

    def after_write(self, backend: GraphBackend, shapes: list[dict[str, Any]]) -> None:
        rescored = sorted({v["expert_id"] for s in shapes for v in s["survey"]})
        if rescored:
            backend.write(RESCORE_MANY, {"expert_ids": rescored})

    def missing(self, record_id: int) -> Exception:
        return TicketNotFound(f"no ticket {record_id}")

    def legacy_checksums(self, bridge: BridgeClient, page_size: int) -> Iterator[dict[str, Any]]:
        return bridge.legacy_checksums(page_size=page_size)

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("UNWIND $ids AS id MATCH (t:Ticket {id: id}) RETURN t.id AS id, t.source_checksum AS c",
                            {"ids": ids})
        return {row["id"]: row["c"] for row in rows}


def backfill(migration: LazyMigration, *, batch_size: int = 400, workers: int = 3, limit: int | None = None,
             on_progress: Callable[[int], None] | None = None) -> BackfillResult:
    """Every legacy ticket not yet marked migrated (frozen ones included: a crash after the freeze is
    finished here)."""
    ids = migration.bridge.legacy_ticket_ids(migrated="false", page_size=max(batch_size, 100))
    return backfill_ids(migration, ids, batch_size=batch_size, workers=workers, limit=limit, on_progress=on_progress)
