"""Migrate-on-read of legacy tickets, through the bridge, into the graph (then the master copy).

Per ticket, in this order:
1. fetch it (and its history) from the legacy system through the bridge;
2. write the whole subgraph in ONE query, create-only: the ticket node is MERGEd with a
   one-off token set only ON CREATE, and everything else is written only if this call created
   it. A concurrent or replayed migration therefore writes nothing, and an edit made in the
   graph since is never overwritten. The source checksum and mapping version are part of that
   same atomic write, so a partial ticket is never visible;
3. mark the legacy row migrated (legacy writes are refused from then on), then record that
   on the node. A crash between 2 and 3 leaves `legacy_marked = false`, which the next read,
   the backfill and reconciliation repair.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from bridge_client import BridgeClient, NotFound, Unavailable
from foundation.vocabulary import STAFF_ROLES, iso

from .backends import GraphBackend
from .errors import MigrationUnavailable, TicketNotFound
from .faults import crash_point
from .tickets import NEW_TICKET_ID_BASE

MAPPING_VERSION = 1

WRITE_SUBGRAPH = """
MERGE (t:Ticket {id: $ticket.id})
ON CREATE SET t += $ticket, t.migration_token = $token
WITH t WHERE t.migration_token = $token
MERGE (c:Customer {id: $ticket.customer_id})
MERGE (k:Contract {id: $ticket.contract_id})
MERGE (p:Product {id: $ticket.product_id})
MERGE (l:Locale {id: $ticket.locale_id})
CREATE (t)-[:RAISED_FOR]->(c), (t)-[:AGAINST]->(k), (t)-[:ABOUT]->(p), (t)-[:LOCATED_IN]->(l)
MERGE (c)-[:SUBSCRIBES_TO]->(k)
MERGE (k)-[:APPLIES_TO]->(p)
FOREACH (h IN $history |
  MERGE (e:Event {key: h.key}) ON CREATE SET e += h
  CREATE (t)-[:HAS_EVENT]->(e))
FOREACH (a IN $allocations |
  MERGE (x:Expert {id: a.expert_id})
  CREATE (x)-[:ALLOCATED {state: a.state, accepted: a.accepted, at: a.at, source: 'legacy'}]->(t))
FOREACH (s IN $staff | MERGE (u:CallCentreStaff {username: s}) CREATE (t)-[:CREATED_BY]->(u))
FOREACH (s IN $by_customer | CREATE (t)-[:CREATED_BY]->(c))
RETURN t.id AS id
"""

LEGACY_STATUS = {"open": "unassigned", "assigned": "assigned", "in_progress": "in_progress",
                 "closed": "closed", "cancelled": "cancelled"}


def graph_shape(legacy: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
    """The bridge's v1 legacy ticket as the graph's properties and related records (mapping v1)."""
    history = [{"key": f"{legacy['id']}:{n}", "seq": n, "at": h["at"], "actor": h["actor"], "action": h["action"],
                "detail": h["detail"]} for n, h in enumerate(legacy["history"], 1)]
    ticket = {
        "id": legacy["id"], "reference": legacy["reference"], "status": LEGACY_STATUS[legacy["status"]],
        "legacy_status": legacy["status"], "channel": legacy["channel"], "description": legacy["description"],
        "customer_id": legacy["customer_id"], "contract_id": legacy["contract_id"],
        "product_id": legacy["product_id"], "locale_id": legacy["locale_id"], "slots": legacy["slots"],
        "created_at": legacy["created_at"], "updated_at": legacy["updated_at"], "closed_at": legacy["closed_at"],
        "resolution": legacy["resolution"], "source": "legacy", "migrated_via": via, "migrated_at": iso(now),
        "source_checksum": legacy["checksum"], "mapping_version": MAPPING_VERSION, "legacy_marked": False,
        "revision": 1, "event_count": len(history),
    }
    allocations = []
    if legacy["assigned_expert_id"] is not None:
        accepted = legacy["status"] in ("assigned", "in_progress", "closed")
        allocations.append({"expert_id": legacy["assigned_expert_id"], "accepted": accepted,
                            "state": "accepted" if accepted else "offered",
                            "at": next((h["at"] for h in history if h["action"] == "assigned"), legacy["created_at"])})
    creator = legacy.get("created_by") or {}
    return {"ticket": ticket, "history": history, "allocations": allocations,
            "staff": [creator["username"]] if creator.get("role") in STAFF_ROLES else [],
            "by_customer": [True] if creator.get("role") == "customer" else []}


class Migrator:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge

    def write(self, legacy: dict[str, Any], via: str, now: dt.datetime) -> bool:
        """The per-ticket step shared by lazy reads and the backfill: one atomic, create-only write.
        True if this call created the ticket."""
        shape = graph_shape(legacy, via, now)
        crash_point("before-graph-write")
        created = bool(self.db.write(WRITE_SUBGRAPH, {**shape, "token": uuid.uuid4().hex}))
        crash_point("after-graph-write")
        return created

    def migrate(self, ticket_id: int, via: str, now: dt.datetime | None = None) -> bool:
        """Make sure one ticket is in the graph (the lazy path). True if this call created it."""
        if ticket_id >= NEW_TICKET_ID_BASE:
            raise TicketNotFound(f"no ticket {ticket_id}")
        try:
            legacy = self.bridge.get_legacy_ticket(ticket_id)
        except NotFound as exc:
            raise TicketNotFound(f"no ticket {ticket_id}") from exc
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        created = self.write(legacy, via, now or dt.datetime.now())
        self.ensure_legacy_marked([ticket_id])
        return created

    def migrate_batch(self, ticket_ids: list[int], via: str, now: dt.datetime | None = None) -> int:
        """The backfill's unit: fetch a batch in one bridge call, write each ticket with `write`, then
        mark the batch in one call. Returns how many tickets this call created."""
        try:
            records = self.bridge.get_legacy_tickets(ticket_ids)
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        moment = now or dt.datetime.now()
        created = sum(self.write(legacy, via, moment) for legacy in records)
        self.ensure_legacy_marked([legacy["id"] for legacy in records])
        return created

    def ensure_legacy_marked(self, ticket_ids: list[int]) -> None:
        if not ticket_ids:
            return
        try:
            if len(ticket_ids) == 1:
                self.bridge.mark_migrated(ticket_ids[0])
            else:
                self.bridge.mark_migrated_many(ticket_ids)
        except Unavailable:
            return  # the nodes keep legacy_marked = false; the next read or the backfill repairs them
        crash_point("after-legacy-mark")
        self.db.write("UNWIND $ids AS id MATCH (t:Ticket {id: id}) SET t.legacy_marked = true", {"ids": ticket_ids})
