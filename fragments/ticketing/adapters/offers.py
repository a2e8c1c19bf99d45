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

from foundation.vocabulary import SLOT_LENGTH, iso
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

# Visits (an accepted or open offered allocation of an open ticket) by the slot's start; the slot is a
# string on a relationship (no index), compared as ISO text.
VISITS_BETWEEN = """
MATCH (x:Expert)-[a:ALLOCATED]->(t:Ticket)
WHERE a.state IN $states AND a.slot >= $first AND a.slot < $last AND t.status IN $open
OPTIONAL MATCH (t)-[:RAISED_FOR]->(c:Customer)
RETURN t.id AS ticket_id, x.id AS expert_id, a.slot AS slot, a.state AS state,
       coalesce(t.customer_id, c.id) AS customer_id, t.reference AS reference, t.status AS status,
       coalesce(a.closed_at, a.at) AS accepted_at, t.on_my_way_at AS on_my_way_at, t.reminded AS reminded,
       t.at_risk AS at_risk
"""

# One expert booked for two open tickets in one slot: the graph's Booking key forbids it for bookings
# made here, so such pairs come from the legacy system (its dispatcher did not check).
DOUBLE_BOOKINGS = """
MATCH (x:Expert)-[a:ALLOCATED]->(t:Ticket)
WHERE a.state = $accepted AND a.slot >= $since AND t.status IN $open
WITH x.id AS expert_id, a.slot AS slot, collect(t.id) AS tickets
WHERE size(tickets) > 1
RETURN tickets
"""

# A ticket's slots are freed; a slot another open ticket is still booked for with that expert (a legacy
# double booking: only one of the pair could hold the Booking) passes to it instead of coming free.
PASS_ON_BOOKINGS = """
MATCH (b:Booking {ticket_id: $ticket_id})
WHERE $expert_id IS NULL OR b.expert_id = $expert_id
WITH b, b.expert_id AS expert_id, b.starts_at AS starts_at, b.key AS key
DETACH DELETE b
WITH expert_id, starts_at, key
MATCH (x:Expert {id: expert_id})-[a:ALLOCATED]->(t:Ticket)
WHERE a.state = $accepted AND a.slot = starts_at AND t.id <> $ticket_id AND t.status IN $open
WITH x, expert_id, starts_at, key, min(t.id) AS other
MERGE (kept:Booking {key: key})
ON CREATE SET kept.expert_id = expert_id, kept.starts_at = starts_at, kept.ticket_id = other, kept.state = 'booked',
              kept.source = 'passed-on'
MERGE (x)-[:HOLDS]->(kept)
"""

# Only a ticket waiting for assignment can be offered: the status check and the hold happen in one
# write query, so two dispatchers racing on one ticket cannot both offer it. FalkorDB runs one write
# query at a time per graph; Neo4j does not, so the query first writes the ticket (taking its write
# lock, which a competitor also needs) and only then reads the status it depends on.
LOCK_TICKET = "SET t.write_lock = coalesce(t.write_lock, 0) + 1"
# The ticket written first also takes the graph's write lock in FalkorDB (reads before a query's first
# write are not serialised): the slot's booking is then looked for, and the query sets everything before
# it creates the booking, the hold, the offer and the event (a SET after a creation costs time in
# proportion to the whole graph, ADR 0029). The booking's key is unique besides.
OFFER = f"""
MATCH (t:Ticket {{id: $ticket_id}}), (x:Expert {{id: $expert_id}})
{LOCK_TICKET}
WITH t, x WHERE t.status IN $from_states
OPTIONAL MATCH (held:Booking {{key: $key}})
WITH t, x, held WHERE held IS NULL
SET x.last_offered_at = $at, t.status = $to_state, t.updated_at = $at, t.revision = t.revision + 1,
    t.event_count = t.event_count + 1
{touch_report_day("t")}
CREATE (b:Booking {{key: $key, expert_id: $expert_id, starts_at: $starts_at, ticket_id: $ticket_id, state: $held,
                   token: $token}}),
       (x)-[:HOLDS]->(b),
       (x)-[:ALLOCATED {{state: $offered, accepted: false, at: $at, slot: $starts_at, expires_at: $expires_at,
                        source: 'new'}}]->(t),
       (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: 'system:assignment', action: 'offered',
                                  detail: 'Offered to expert ' + toString($expert_id) + ' for ' + $starts_at}})
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
{touch_report_day("t")}
CREATE (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: $actor, action: $outcome, detail: $detail}})
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
        ticket, all its customer chose for a migrated legacy one; a slot the expert is also booked for with
        another open ticket (a legacy double booking) passes to that ticket."""
        held = self.db.read("MATCH (b:Booking {ticket_id: $ticket_id}) WHERE b.expert_id = $expert_id "
                            "RETURN count(b) AS held", {"expert_id": expert_id, "ticket_id": ticket_id})
        self.db.write(PASS_ON_BOOKINGS, {"ticket_id": ticket_id, "expert_id": expert_id,
                                         "accepted": str(AllocationState.ACCEPTED),
                                         "open": [str(State.ASSIGNED), str(State.IN_PROGRESS)]})
        return bool(held and held[0]["held"])

    def expert_names(self, expert_ids: list[int]) -> dict[int, str]:
        return profiles_v1.names(self.db, expert_ids)

    def end_bookings(self, *, ticket_id: int, actor: str, now: dt.datetime, reason: str) -> list[int]:
        rows = self.db.write("MATCH (x:Expert)-[a:ALLOCATED]->(t:Ticket {id: $ticket_id}) WHERE a.state = $accepted "
                             "SET a.state = $withdrawn, a.accepted = false, a.closed_at = $at, a.reason = $reason, "
                             "a.closed_by = $actor RETURN x.id AS expert_id",
                             {"ticket_id": ticket_id, "accepted": str(AllocationState.ACCEPTED), "at": iso(now),
                              "withdrawn": str(AllocationState.WITHDRAWN), "reason": reason, "actor": actor})
        self.db.write(PASS_ON_BOOKINGS, {"ticket_id": ticket_id, "expert_id": None,
                                         "accepted": str(AllocationState.ACCEPTED),
                                         "open": [str(State.ASSIGNED), str(State.IN_PROGRESS)]})
        return sorted({int(row["expert_id"]) for row in rows})

    def double_bookings(self, now: dt.datetime) -> list[list[int]]:
        rows = self.db.read(DOUBLE_BOOKINGS, {"accepted": str(AllocationState.ACCEPTED), "since": iso(now - SLOT_LENGTH),
                                              "open": [str(State.ASSIGNED), str(State.IN_PROGRESS)]})
        return sorted(sorted(int(t) for t in row["tickets"]) for row in rows)

    def visits_between(self, first: dt.datetime, last: dt.datetime) -> list[dict[str, Any]]:
        rows = self.db.read(VISITS_BETWEEN, {"first": iso(first), "last": iso(last),
                                             "states": [str(AllocationState.ACCEPTED), str(AllocationState.OFFERED)],
                                             "open": [str(State.ASSIGNED), str(State.IN_PROGRESS), str(State.OFFERED)]})
        return sorted(rows, key=lambda r: (r["slot"], r["ticket_id"]))
