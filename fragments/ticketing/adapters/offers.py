"""Offers in the graph, the Offers port itself: candidate experts, and atomic slot holds, offers,
bookings. The states a query may move a ticket from and to come from the domain's transition table
(fragments/ticketing/domain/states.py), never from literals here.

An expert's slot is a Booking node keyed "<expert id>@<slot start>", unique in the graph, so two
tickets can never hold the same expert slot: the second MERGE finds the first booking and, not
owning it, writes nothing. Offers are ALLOCATED relationships with an `expires_at`: they are the
durable timers a worker sweeps (`due_offers`).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from foundation.vocabulary import iso
from fragments.experts.published import profiles_v1
from graph_store.backends import GraphBackend

from ..domain.ranking import Candidate
from ..domain.states import OFFER_ENDINGS, AllocationState, BookingState, State, moves, next_state
from ..published.tickets_v1 import touch_report_day
from ..services.ports import SlotTaken, StaleTicket, TicketNotFound
from .errors import port_errors

# Who is qualified and when they work is the experts service's (its published profiles_v1); the slots
# they hold and their score are ours. Unordered: the domain's ranking is the one order.
CANDIDATES = f"""
{profiles_v1.QUALIFIED}
UNWIND $slots AS s
OPTIONAL MATCH (b:Booking {{key: toString(x.id) + '@' + s.starts_at}})
WITH x, s, b
WHERE b IS NULL AND {profiles_v1.FREE_AT} AND NOT x.id IN $exclude
WITH x, collect(s.starts_at) AS free_slots
OPTIONAL MATCH (x)-[:HOLDS]->(held:Booking)
WHERE held.starts_at >= $now
WITH x, free_slots, count(held) AS load
RETURN x.id AS expert_id, free_slots, load, coalesce(x.score, 0.0) AS score,
       coalesce(x.last_offered_at, '') AS last_offered_at
"""

# Only a ticket waiting for assignment can be offered: the status check and the hold happen in one
# write query, so two dispatchers racing on one ticket cannot both offer it. FalkorDB runs one write
# query at a time per graph; Neo4j does not, so the query first writes the ticket (taking its write
# lock, which a competitor also needs) and only then reads the status it depends on.
LOCK_TICKET = "SET t.write_lock = coalesce(t.write_lock, 0) + 1"
OFFER = f"""
MATCH (t:Ticket {{id: $ticket_id}}), (x:Expert {{id: $expert_id}})
{LOCK_TICKET}
WITH t, x WHERE t.status IN $from_states
MERGE (b:Booking {{key: $key}})
ON CREATE SET b.expert_id = $expert_id, b.starts_at = $starts_at, b.ticket_id = $ticket_id, b.state = $held,
              b.token = $token
WITH t, x, b WHERE b.token = $token
CREATE (x)-[:HOLDS]->(b)
CREATE (x)-[:ALLOCATED {{state: $offered, accepted: false, at: $at, slot: $starts_at, expires_at: $expires_at,
                        source: 'new'}}]->(t)
SET x.last_offered_at = $at, t.status = $to_state, t.updated_at = $at, t.revision = t.revision + 1,
    t.event_count = t.event_count + 1
CREATE (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: 'system:assignment', action: 'offered',
                                  detail: 'Offered to expert ' + toString($expert_id) + ' for ' + $starts_at}})
{touch_report_day("t")}
RETURN b.key AS key
"""

# Closing an offer: accept books the slot; refuse / time out / withdraw free it. Only an offer
# still in state 'offered' can close, so a late accept after a time-out changes nothing.
CLOSE_OFFER = f"""
MATCH (x:Expert {{id: $expert_id}})-[a:ALLOCATED]->(t:Ticket {{id: $ticket_id}})
{LOCK_TICKET}
WITH x, a, t WHERE a.state = $offered
MATCH (x)-[:HOLDS]->(b:Booking {{key: $key}})
SET a.state = $outcome, a.closed_at = $at, a.accepted = $books, a.reason = $reason,
    t.status = $ticket_status, t.updated_at = $at, t.revision = t.revision + 1, t.event_count = t.event_count + 1,
    b.state = $booked
CREATE (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: $actor, action: $outcome, detail: $detail}})
{touch_report_day("t")}
WITH b, a
FOREACH (_ IN CASE WHEN $books THEN [] ELSE [1] END | DETACH DELETE b)
RETURN a.state AS state
"""


def booking_key(expert_id: int, starts_at: str) -> str:
    return f"{expert_id}@{starts_at}"


@port_errors
class GraphOffers:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def candidates(self, *, product_id: int, locale_id: int | None, slots: list[dt.datetime], now: dt.datetime,
                   exclude: list[int]) -> list[Candidate]:
        """Experts with the skill, serving the locale, free at one of the slots (unordered)."""
        rows = self.db.read(CANDIDATES, {"product_id": product_id, "locale_id": locale_id,
                                         "slots": [profiles_v1.slot_facts(s) for s in slots], "now": iso(now),
                                         "exclude": list(exclude)})
        return [Candidate(row["expert_id"], tuple(row["free_slots"]), row["load"], row["score"],
                          row["last_offered_at"]) for row in rows if row["free_slots"]]

    def offer(self, *, ticket_id: int, expert_id: int, starts_at: str, now: dt.datetime,
              expires_at: dt.datetime) -> None:
        from_states, to_states = moves("offer")
        rows = self.db.write(OFFER, {"ticket_id": ticket_id, "expert_id": expert_id, "starts_at": starts_at,
                                     "key": booking_key(expert_id, starts_at), "token": uuid.uuid4().hex,
                                     "at": iso(now), "expires_at": iso(expires_at), "from_states": from_states,
                                     "to_state": to_states[0], "held": str(BookingState.HELD),
                                     "offered": str(AllocationState.OFFERED)})
        if not rows:
            exists = self.db.read("MATCH (t:Ticket {id: $t}) MATCH (x:Expert {id: $x}) RETURN t.status AS status",
                                  {"t": ticket_id, "x": expert_id})
            if not exists:
                raise TicketNotFound(f"no ticket {ticket_id} or expert {expert_id}")
            if exists[0]["status"] not in from_states:
                raise StaleTicket(f"ticket {ticket_id} is {exists[0]['status']}, not waiting for an offer")
            raise SlotTaken(f"expert {expert_id} is not free at {starts_at}")

    def close_offer(self, *, ticket_id: int, expert_id: int, starts_at: str, outcome: AllocationState, actor: str,
                    now: dt.datetime, reason: str = "") -> bool:
        """End an open offer with `outcome` (accepted books the slot; the others free it). False if no
        open offer matched."""
        outcome = AllocationState(outcome)
        ticket_status = next_state(OFFER_ENDINGS[outcome], State.OFFERED)
        books = outcome == AllocationState.ACCEPTED
        detail = {AllocationState.ACCEPTED: f"Expert {expert_id} accepted the slot {starts_at}",
                  AllocationState.REFUSED: f"Expert {expert_id} refused: {reason}" if reason
                  else f"Expert {expert_id} refused",
                  AllocationState.TIMED_OUT: f"Expert {expert_id} did not answer in time",
                  AllocationState.WITHDRAWN: f"Offer to expert {expert_id} withdrawn"}[outcome]
        rows = self.db.write(CLOSE_OFFER, {"ticket_id": ticket_id, "expert_id": expert_id,
                                           "key": booking_key(expert_id, starts_at), "outcome": str(outcome),
                                           "ticket_status": str(ticket_status), "reason": reason, "actor": actor,
                                           "detail": detail, "at": iso(now), "books": books,
                                           "offered": str(AllocationState.OFFERED),
                                           "booked": str(BookingState.BOOKED) if books else "released"})
        return bool(rows)

    def due_offers(self, now: dt.datetime, limit: int = 100) -> list[dict[str, Any]]:
        return self.db.read(
            "MATCH (x:Expert)-[a:ALLOCATED]->(t:Ticket) WHERE a.state = $offered AND a.expires_at <= $now "
            "RETURN t.id AS ticket_id, x.id AS expert_id, a.slot AS starts_at, a.expires_at AS expires_at "
            "ORDER BY a.expires_at LIMIT $limit",
            {"now": iso(now), "limit": limit, "offered": str(AllocationState.OFFERED)})

    def bookings(self, expert_id: int) -> list[dict[str, Any]]:
        return [row["b"] for row in self.db.read(
            "MATCH (:Expert {id: $id})-[:HOLDS]->(b:Booking) RETURN b {.*} AS b ORDER BY b.starts_at",
            {"id": expert_id})]

    def release_bookings(self, *, expert_id: int, ticket_id: int) -> bool:
        """Free every slot the ticket holds for the expert (ticket closed or cancelled): one for a new
        ticket, all its customer chose for a migrated legacy one."""
        rows = self.db.write("MATCH (b:Booking {ticket_id: $ticket_id}) WHERE b.expert_id = $expert_id "
                             "DETACH DELETE b RETURN count(*) AS freed",
                             {"expert_id": expert_id, "ticket_id": ticket_id})
        return bool(rows and rows[0]["freed"])

    def expert_names(self, expert_ids: list[int]) -> dict[int, str]:
        return profiles_v1.names(self.db, expert_ids)
