"""Assignment support in the graph: candidate experts, and atomic slot holds, offers, bookings.

An expert's slot is a Booking node keyed "<expert id>@<slot start>", unique in the graph, so two
tickets can never hold the same expert slot: the second MERGE finds the first booking and, not
owning it, writes nothing. Offers are ALLOCATED relationships with an `expires_at`: they are the
durable timers a worker sweeps (`due_offers`).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from foundation.vocabulary import iso, period_of

from .backends import GraphBackend
from .errors import SlotTaken, StaleTicket, TicketNotFound
from .reports import touch_report_day

CANDIDATES = """
MATCH (x:Expert {active: true})-[:HAS_EXPERTISE]->(:Expertise {product_id: $product_id})
MATCH (x)-[:SERVICES]->(:Locale {id: $locale_id})
WITH DISTINCT x
UNWIND $slots AS s
OPTIONAL MATCH (b:Booking {key: toString(x.id) + '@' + s.starts_at})
WITH x, s, b
WHERE b IS NULL AND s.pattern IN x.weekly AND NOT s.date IN x.off_dates AND NOT x.id IN $exclude
WITH x, collect(s.starts_at) AS free_slots
OPTIONAL MATCH (x)-[:HOLDS]->(held:Booking)
WHERE held.starts_at >= $now
WITH x, free_slots, count(held) AS load
RETURN x.id AS expert_id, free_slots, load, coalesce(x.score, 0.0) AS score,
       coalesce(x.last_offered_at, '') AS last_offered_at
ORDER BY load ASC, score DESC, last_offered_at ASC, expert_id ASC
LIMIT $limit
"""

# Only a ticket waiting for assignment can be offered: the status check and the hold happen in one
# write query, so two dispatchers racing on one ticket cannot both offer it. FalkorDB runs one write
# query at a time per graph; Neo4j does not, so the query first writes the ticket (taking its write
# lock, which a competitor also needs) and only then reads the status it depends on.
LOCK_TICKET = "SET t.write_lock = coalesce(t.write_lock, 0) + 1"
OFFER = f"""
MATCH (t:Ticket {{id: $ticket_id}}), (x:Expert {{id: $expert_id}})
{LOCK_TICKET}
WITH t, x WHERE t.status IN ['new', 'unassigned']
MERGE (b:Booking {{key: $key}})
ON CREATE SET b.expert_id = $expert_id, b.starts_at = $starts_at, b.ticket_id = $ticket_id, b.state = 'held',
              b.token = $token
WITH t, x, b WHERE b.token = $token
CREATE (x)-[:HOLDS]->(b)
CREATE (x)-[:ALLOCATED {{state: 'offered', accepted: false, at: $at, slot: $starts_at, expires_at: $expires_at,
                        source: 'new'}}]->(t)
SET x.last_offered_at = $at, t.status = 'offered', t.updated_at = $at, t.revision = t.revision + 1,
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
WITH x, a, t WHERE a.state = 'offered'
MATCH (x)-[:HOLDS]->(b:Booking {{key: $key}})
SET a.state = $outcome, a.closed_at = $at, a.accepted = ($outcome = 'accepted'), a.reason = $reason,
    t.status = $ticket_status, t.updated_at = $at, t.revision = t.revision + 1, t.event_count = t.event_count + 1,
    b.state = CASE WHEN $outcome = 'accepted' THEN 'booked' ELSE 'released' END
CREATE (t)-[:HAS_EVENT]->(:Event {{key: toString(t.id) + ':' + toString(t.event_count), seq: t.event_count,
                                  at: $at, actor: $actor, action: $outcome, detail: $detail}})
{touch_report_day("t")}
WITH b, a
FOREACH (_ IN CASE WHEN $outcome = 'accepted' THEN [] ELSE [1] END | DETACH DELETE b)
RETURN a.state AS state
"""


def slot_facts(starts_at: dt.datetime) -> dict[str, str]:
    period = period_of(starts_at)
    return {"starts_at": iso(starts_at), "date": starts_at.date().isoformat(),
            "pattern": f"{starts_at.weekday()}:{period}"}


def booking_key(expert_id: int, starts_at: str) -> str:
    return f"{expert_id}@{starts_at}"


class AssignmentStore:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def candidates(self, *, product_id: int, locale_id: int, slots: list[dt.datetime], now: dt.datetime,
                   exclude: list[int] = (), limit: int = 10) -> list[dict[str, Any]]:
        """Experts with the skill, serving the locale, free at one of the slots; best first
        (fewest upcoming bookings, then best survey score, then longest since their last offer)."""
        rows = self.db.read(CANDIDATES, {"product_id": product_id, "locale_id": locale_id,
                                         "slots": [slot_facts(s) for s in slots], "now": iso(now),
                                         "exclude": list(exclude), "limit": limit})
        return [row for row in rows if row["free_slots"]]

    def offer(self, *, ticket_id: int, expert_id: int, starts_at: str, now: dt.datetime,
              expires_at: dt.datetime) -> None:
        rows = self.db.write(OFFER, {"ticket_id": ticket_id, "expert_id": expert_id, "starts_at": starts_at,
                                     "key": booking_key(expert_id, starts_at), "token": uuid.uuid4().hex,
                                     "at": iso(now), "expires_at": iso(expires_at)})
        if not rows:
            exists = self.db.read("MATCH (t:Ticket {id: $t}) MATCH (x:Expert {id: $x}) RETURN t.status AS status",
                                  {"t": ticket_id, "x": expert_id})
            if not exists:
                raise TicketNotFound(f"no ticket {ticket_id} or expert {expert_id}")
            if exists[0]["status"] not in ("new", "unassigned"):
                raise StaleTicket(f"ticket {ticket_id} is {exists[0]['status']}, not waiting for an offer")
            raise SlotTaken(f"expert {expert_id} is not free at {starts_at}")

    def close_offer(self, *, ticket_id: int, expert_id: int, starts_at: str, outcome: str, actor: str,
                    now: dt.datetime, reason: str = "") -> bool:
        """outcome: accepted | refused | timed_out | withdrawn. False if no open offer matched."""
        ticket_status = "assigned" if outcome == "accepted" else "unassigned"
        detail = {"accepted": f"Expert {expert_id} accepted the slot {starts_at}",
                  "refused": f"Expert {expert_id} refused: {reason}" if reason else f"Expert {expert_id} refused",
                  "timed_out": f"Expert {expert_id} did not answer in time",
                  "withdrawn": f"Offer to expert {expert_id} withdrawn"}[outcome]
        rows = self.db.write(CLOSE_OFFER, {"ticket_id": ticket_id, "expert_id": expert_id,
                                           "key": booking_key(expert_id, starts_at), "outcome": outcome,
                                           "ticket_status": ticket_status, "reason": reason, "actor": actor,
                                           "detail": detail, "at": iso(now)})
        return bool(rows)

    def due_offers(self, now: dt.datetime, limit: int = 100) -> list[dict[str, Any]]:
        return self.db.read(
            "MATCH (x:Expert)-[a:ALLOCATED {state: 'offered'}]->(t:Ticket) WHERE a.expires_at <= $now "
            "RETURN t.id AS ticket_id, x.id AS expert_id, a.slot AS starts_at, a.expires_at AS expires_at "
            "ORDER BY a.expires_at LIMIT $limit", {"now": iso(now), "limit": limit})

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
