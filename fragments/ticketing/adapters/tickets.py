"""Tickets in the graph, the Tickets port itself: read with history and allocations (a legacy ticket
moves in on first read), create, save a ticket's changes, list."""
from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any

from bridge_client import BridgeClient, Unavailable
from foundation.vocabulary import LEGACY_HOLDING, OPEN_STATES, iso
from fragments.knowledge.published import articles_v1
from graph_store.backends import GraphBackend
from graph_store.errors import MigrationUnavailable
from graph_store.lazy import LazyMigration
from graph_store.writes import in_place, removing, set_apart

from ..domain.access import Reader
from ..domain.states import BINDING, State
from ..domain.ticket import Ticket
from ..published.tickets_v1 import day_number, touch_report_day
from ..services.ports import OpenTicketLimit, StaleTicket, TicketingStoreError, TicketNotFound
from .errors import port_errors
from .migration import TicketPart

# Tickets born in the graph get ids above every legacy id, so both can share one id space.
NEW_TICKET_ID_BASE = 100_000_000


# A raise is created once per raise key (the form's or the API client's Idempotency-Key, scoped to the
# customer): a retry after an unknown outcome (a lost answer, a fail-over) finds the first attempt's
# ticket instead of raising a second one. One query, so atomic (writes to one graph are serialised); the
# key is also a unique node key. A plan's limit of open tickets per contract is checked in the same
# query: two raises at once cannot both take the last place. A plan with no limit has nothing to count:
# the raise then skips reading the customer's tickets. A repeat, or a raise over the limit, creates
# no ticket and answers no row.
WITHIN_LIMIT = """
OPTIONAL MATCH (seen:RaiseRequest {key: $raise_key})
OPTIONAL MATCH (o:Ticket) WHERE o.customer_id = $customer_id AND o.contract_id = $contract_id AND o.status IN $open
WITH seen, count(o) AS open_now
WHERE seen IS NOT NULL OR open_now < $max_open
"""
# FalkorDB runs a SET that comes after a creation in the same query at a cost that grows with the
# whole graph (nodes of every label: a new node's SET 0.03 ms in an empty graph, 0.76 ms beside 50,000
# nodes; the raise's counter, 3 ms beside 200,000 tickets), while creations and reads cost the same at
# any size (ADR 0029). So the raise writes the counter and the report day first (a repeat so uses up an
# id: ids may have gaps), then MERGEs the raise key (a key seen before is counted, on the existing node,
# and creates nothing), then creates the ticket and its first event with every property in place.
CREATED_WITH = """
MERGE (counter:Counter {{name: 'ticket'}})
ON CREATE SET counter.value = $base
SET counter.value = counter.value + 1
WITH counter.value AS id
MERGE (report_day:ReportDay {{day: $props.created_day}})
SET report_day.version = coalesce(report_day.version, 0) + 1
WITH id, report_day.version AS report_version
MERGE (r:RaiseRequest {{key: $raise_key}})
ON MATCH SET r.repeats = coalesce(r.repeats, 0) + 1
WITH r, id, report_version WHERE r.repeats IS NULL
MERGE (c:Customer {{id: $customer_id}})
MERGE (k:Contract {{id: $contract_id}})
MERGE (p:Product {{id: $product_id}})
MERGE (l:Locale {{id: $locale_id}})
CREATE (t:Ticket {{id: id, {fields}, reference: 'N-' + toString(id), source: 'new', revision: 1, event_count: 1,
                  report_version: report_version}}),
       (t)-[:RAISED_FOR]->(c), (t)-[:AGAINST]->(k), (t)-[:ABOUT]->(p), (t)-[:LOCATED_IN]->(l), (r)-[:RAISED]->(t),
       (t)-[:HAS_EVENT]->(e:Event {{key: toString(id) + ':1', seq: 1, at: $at, actor: $actor, action: 'created',
                                   detail: $detail}})
RETURN id, t {{.*}} AS ticket, e {{.*}} AS created
"""
WRITTEN_BY_THE_QUERY = {"id", "reference", "source", "revision", "event_count", "report_version"}


@functools.lru_cache(maxsize=16)
def create_ticket(fields: tuple[str, ...], limited: bool) -> str:
    """The raise's query for a ticket with these properties (from `$props`), under a plan's limit or not."""
    if any(name in WRITTEN_BY_THE_QUERY for name in fields):
        raise ValueError(f"not a ticket property a raise may write: {fields}")
    return (WITHIN_LIMIT if limited else "") + CREATED_WITH.format(fields=in_place(fields, "$props"))


def raising(*, customer_id: int, contract_id: int, product_id: int, locale_id: int, description: str,
            slots: list[str], channel: str, actor: str, now: dt.datetime, raise_key: str | None = None,
            max_open: int | None = None, promises: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """A raise's query and its parameters, as `GraphTickets.create` sends them (benchmarks time the same)."""
    at = iso(now)
    key = f"{customer_id}/{raise_key or uuid.uuid4().hex}"
    props = {"status": str(State.NEW), "channel": channel, "description": description, "slots": slots,
             "customer_id": customer_id, "contract_id": contract_id, "product_id": product_id,
             "locale_id": locale_id, "created_at": at, "created_day": day_number(at), "updated_at": at,
             "raise_key": key, **(promises or {})}
    return create_ticket(tuple(sorted(props)), max_open is not None), {
        "base": NEW_TICKET_ID_BASE, "props": props, "customer_id": customer_id, "contract_id": contract_id,
        "product_id": product_id, "locale_id": locale_id, "at": at, "actor": actor, "raise_key": key,
        "detail": f"Raised by {channel}", "max_open": max_open, "open": sorted(str(state) for state in OPEN_STATES)}


# What a list of tickets shows (and a Ticket needs to be read from it): no description, no history.
SUMMARY_FIELDS = ("id", "reference", "status", "customer_id", "product_id", "locale_id", "contract_id", "slots",
                  "channel", "source", "created_at", "updated_at", "revision", "accept_by", "visit_by")

# A change sets its values, removes the properties it empties one at a time (graph_store.writes), then
# touches the report day, then creates the event.
UPDATE_TICKET = f"""
MATCH (t:Ticket {{id: $id}})
WHERE $expected_revision IS NULL OR t.revision = $expected_revision
SET t += $changes, t.revision = t.revision + 1, t.event_count = t.event_count + 1, t.updated_at = $at
{removing("t")}
{touch_report_day("t")}
CREATE (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: $actor, action: $action, detail: $detail}})
RETURN t.revision AS revision, t.updated_at AS updated_at, t.event_count AS seq
"""


READ_TICKETS = """
UNWIND $ids AS id
MATCH (t:Ticket {id: id})
OPTIONAL MATCH (t)-[:HAS_EVENT]->(e:Event)
WITH t, e ORDER BY e.seq
WITH t, collect(e {.*}) AS history
OPTIONAL MATCH (x:Expert)-[a:ALLOCATED]->(t)
RETURN t {.*} AS ticket, history, collect(a {.*, expert_id: x.id}) AS allocations
"""


def _whole(row: dict[str, Any]) -> dict[str, Any]:
    ticket = row["ticket"]
    ticket["history"] = [e for e in row["history"] if e.get("key")]
    ticket["allocations"] = sorted((a for a in row["allocations"] if a.get("state")), key=lambda a: a["at"])
    return ticket


@port_errors
class GraphTickets:
    """The Tickets port over the graph. Record-level reads (`find`, `record`, `update`) serve the
    migration, cut-over and reconciliation, which work on the stored shape."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.migration = LazyMigration(backend, bridge, TicketPart())  # the tickets' migrate-on-read

    # -- records -----------------------------------------------------------------------------------
    def find(self, ticket_id: int) -> dict[str, Any] | None:
        found = self.records([ticket_id])
        return found[0] if found else None

    def record(self, ticket_id: int) -> dict[str, Any]:
        ticket = self.find(ticket_id)
        if ticket is None:
            raise TicketNotFound(f"no ticket {ticket_id}")
        return ticket

    def records(self, ticket_ids: list[int]) -> list[dict[str, Any]]:
        """Several whole tickets in one read, in the order asked; those not in the graph left out. None asked:
        no read (the worker asks for the new tickets it found several times a second, mostly none)."""
        if not ticket_ids:
            return []
        found = {row["ticket"]["id"]: _whole(row) for row in self.db.read(READ_TICKETS, {"ids": list(ticket_ids)})}
        return [found[i] for i in ticket_ids if i in found]

    def update(self, ticket_id: int, *, changes: dict[str, Any], actor: str, action: str, detail: str,
               now: dt.datetime, expected_revision: int | None = None) -> dict[str, Any]:
        """One change with its history event; the new revision, update time and event number."""
        values, removed = set_apart(changes)
        rows = self.db.write(UPDATE_TICKET, {
            "id": ticket_id, "changes": values, "removed": removed, "actor": actor, "action": action, "detail": detail,
            "at": iso(now), "expected_revision": expected_revision})
        if not rows:
            if self.find(ticket_id) is None:
                raise TicketNotFound(f"no ticket {ticket_id}")
            raise StaleTicket(f"ticket {ticket_id} changed since revision {expected_revision}")
        return rows[0]

    def add_note(self, ticket_id: int, *, actor: str, note: str, now: dt.datetime) -> dict[str, Any]:
        return self.update(ticket_id, changes={}, actor=actor, action="note", detail=note, now=now)

    # -- the port -----------------------------------------------------------------------------------
    def get(self, ticket_id: int, reader: Reader | None = None) -> Ticket:
        """From the graph; a legacy ticket not yet here moves in first (then the graph is its master).
        With a `reader`, the monolith freezes it only if that reader may read it: otherwise it is
        reported missing and left where it is."""
        record = self.find(ticket_id)
        if record is None:
            self.migration.migrate(ticket_id, via="lazy", reader=reader.as_dict() if reader else None)
            record = self.record(ticket_id)
        return Ticket.from_record(record)

    def many(self, ticket_ids: list[int]) -> list[Ticket]:
        return [Ticket.from_record(r) for r in self.records(ticket_ids)]

    def create(self, *, customer_id: int, contract_id: int, product_id: int, locale_id: int, description: str,
               slots: list[str], channel: str, actor: str, now: dt.datetime, raise_key: str | None = None,
               max_open: int | None = None, promises: dict[str, Any] | None = None) -> Ticket:
        """The new ticket as stored; for a raise key seen before for this customer, the ticket that raise
        created (nothing new is written). OpenTicketLimit if the contract already has `max_open` open."""
        query, params = raising(customer_id=customer_id, contract_id=contract_id, product_id=product_id,
                                locale_id=locale_id, description=description, slots=slots, channel=channel,
                                actor=actor, now=now, raise_key=raise_key, max_open=max_open, promises=promises)
        rows = self.db.write(query, params)
        key = params["raise_key"]
        if rows:
            return Ticket.from_record({**rows[0]["ticket"], "history": [rows[0]["created"]], "allocations": []})
        earlier = self.db.read("MATCH (:RaiseRequest {key: $key})-[:RAISED]->(t:Ticket) RETURN t.id AS id",
                               {"key": key})
        if not earlier:
            raise OpenTicketLimit(f"contract {contract_id} already has {max_open} open tickets")
        ticket = self.find(earlier[0]["id"])
        if ticket is None:
            raise TicketingStoreError(f"raise key {key} was used before for a ticket no longer in the graph")
        return Ticket.from_record(ticket)

    def save(self, ticket: Ticket, now: dt.datetime) -> Ticket:
        """Each pending change as one conditional update with its event. The use cases read (and so
        migrate) a ticket before changing it; one not in the graph is TicketNotFound, never a write to
        the legacy copy."""
        while ticket.pending:
            change = ticket.pending[0]
            saved = self.update(ticket.id, changes=change.fields, actor=change.actor, action=change.action,
                                detail=change.detail, now=now, expected_revision=change.expected_revision)
            ticket.revision, ticket.updated_at = saved["revision"], saved["updated_at"]
            ticket.history.append({"key": f"{ticket.id}:{saved['seq']}", "seq": saved["seq"], "at": saved["updated_at"],
                                   "actor": change.actor, "action": change.action, "detail": change.detail})
            ticket.pending.pop(0)
        return ticket

    def list(self, *, customer_id: int | None = None, expert_id: int | None = None,
             statuses: list[str] | None = None, limit: int = 100, summary: bool = False) -> list[Ticket]:
        """Newest first. `summary`: only what a list of tickets shows (SUMMARY_FIELDS), half the read of
        whole tickets with their descriptions."""
        # Each case its own pattern, so the store can start from an index (a customer's tickets among
        # 500,000: an index lookup instead of a scan of every ticket).
        if expert_id is not None:
            match = "MATCH (:Expert {id: $expert_id})-[a:ALLOCATED]->(t:Ticket) WHERE a.state IN $binding"
        elif customer_id is not None:
            match = "MATCH (t:Ticket) WHERE t.customer_id = $customer_id"
        else:
            match = "MATCH (t:Ticket) WHERE true"
        projection = "t {" + ", ".join(f".{name}" for name in SUMMARY_FIELDS) + "}" if summary else "t {.*}"
        query = (f"{match} AND ($statuses IS NULL OR t.status IN $statuses) "
                 f"RETURN {projection} AS ticket ORDER BY t.created_at DESC, t.id DESC LIMIT $limit")
        rows = self.db.read(query, {"customer_id": customer_id, "expert_id": expert_id, "limit": limit,
                                    "statuses": list(statuses) if statuses else None,
                                    "binding": [str(s) for s in BINDING]})
        return [Ticket.from_record(row["ticket"]) for row in rows]

    def customer_version(self, customer_id: int) -> tuple[Any, ...]:
        """What changes whenever anything shown of the customer's tickets changes: every write to a ticket
        raises its revision, a new ticket adds to the count and, ids never being reused, to the id sum;
        a ticket copied again (reconciliation) has a newer migrated_at. An index lookup, no ticket read."""
        rows = self.db.read("MATCH (t:Ticket) WHERE t.customer_id = $customer_id RETURN count(t) AS n, "
                            "sum(t.revision) AS revisions, sum(t.id) AS ids, max(t.migrated_at) AS copied",
                            {"customer_id": customer_id})
        row = rows[0] if rows else {}
        return (row.get("n", 0), row.get("revisions"), row.get("ids"), row.get("copied"))

    def waiting(self, limit: int = 1000) -> list[int]:
        """Tickets raised here and still `new` (not yet dispatched), oldest first: an index lookup on the
        status, cheap enough for the worker to ask several times a second."""
        rows = self.db.read("MATCH (t:Ticket) WHERE t.status = $new AND t.source = 'new' "
                            "RETURN t.id AS id ORDER BY t.id LIMIT $limit", {"limit": limit, "new": str(State.NEW)})
        return [row["id"] for row in rows]

    def needing_follow_up(self, created_before: dt.datetime, limit: int = 100) -> list[int]:
        """New tickets raised before the cutoff that are still unconfirmed or never dispatched."""
        rows = self.db.read("MATCH (t:Ticket {source: 'new'}) WHERE t.created_at <= $before AND "
                            "(t.status = $new OR (t.confirmed_at IS NULL AND t.status <> $cancelled)) "
                            "RETURN t.id AS id ORDER BY t.id LIMIT $limit",
                            {"before": iso(created_before), "limit": limit, "new": str(State.NEW),
                             "cancelled": str(State.CANCELLED)})
        return [row["id"] for row in rows]

    def bind_legacy_commitments(self, *, slots: list[str] = (), expert_id: int | None = None) -> int:  # type: ignore[assignment]
        """Move into the graph, with their bookings, the open legacy tickets that hold one of these slots or
        belong to this expert, so assignment and My work see them (docs/adr/0011). Returns how many moved."""
        try:
            ids = self.bridge.legacy_commitments(slots=list(slots), expert_id=expert_id)
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        return self.migration.migrate_batch(ids, via="commitment") if ids else 0

    def bind_all_legacy_commitments(self, now: dt.datetime) -> int:
        """Move in every open legacy ticket that holds an expert (docs/adr/0011), then note when it was
        done: while the monolith does not answer, assignment offers from what is in the graph if this
        was done a moment ago (ADR 0025). Returns how many moved."""
        try:
            ids = list(self.bridge.legacy_ticket_ids(migrated="false", statuses=LEGACY_HOLDING))
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        moved = sum(self.migration.migrate_batch(ids[start:start + 400], via="commitment")
                    for start in range(0, len(ids), 400))
        self.db.write("MERGE (m:Marker {name: 'legacy-commitments'}) SET m.at = $at", {"at": iso(now)})
        return moved

    def alerts_due(self, now: dt.datetime, limit: int = 200) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (t:Ticket) WHERE t.next_alert_at <= $now AND t.status IN $open "
                            "RETURN t {.id, .reference, .status, .sla_alerts, .sla_told} AS t "
                            "ORDER BY t.next_alert_at LIMIT $limit",
                            {"now": int(now.timestamp()), "open": sorted(str(s) for s in OPEN_STATES), "limit": limit})
        return [row["t"] for row in rows]

    def alerts_told(self, ticket_id: int, told: list[str], next_at: dt.datetime | None) -> None:
        self.db.write("MATCH (t:Ticket {id: $id}) SET t.sla_told = $told, t.next_alert_at = $next",
                      {"id": ticket_id, "told": told, "next": int(next_at.timestamp()) if next_at else None})

    def commitments_known_at(self) -> dt.datetime | None:
        rows = self.db.read("MATCH (m:Marker {name: 'legacy-commitments'}) RETURN m.at AS at")
        return dt.datetime.fromisoformat(rows[0]["at"]) if rows and rows[0]["at"] else None

    def article_title(self, article_id: int) -> str | None:
        """The title of an article the knowledge base holds (its published articles_v1)."""
        return articles_v1.title(self.db, article_id)

    def link_article(self, ticket_id: int, article_id: int, title: str, *, actor: str, now: dt.datetime) -> None:
        """Link the ticket to a knowledge-base article (articles_v1.LINK: a bare node the knowledge base
        fills in if it has not taken the article over yet), with a note in the history."""
        rows = self.db.write(f"MATCH (t:Ticket {{id: $id}}) {articles_v1.LINK} RETURN t.id AS id",
                             {"id": ticket_id, "article_id": article_id, "title": title})
        if not rows:
            raise TicketNotFound(f"no ticket {ticket_id}")
        self.add_note(ticket_id, actor=actor, note=f"Attached article {article_id}: {title}", now=now)

    def articles(self, ticket_id: int) -> list[dict[str, Any]]:
        return [row["article"] for row in self.db.read(
            f"MATCH (:Ticket {{id: $id}})-[:REFERENCES]->(a:Article) RETURN {articles_v1.LINKED} ORDER BY a.id",
            {"id": ticket_id})]
