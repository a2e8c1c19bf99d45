"""Messages in the graph, the Messages port itself: one `Message` node per idempotency key.

A key is unique in the graph (`adapters/schema.py`), so two senders racing with one key store one
message: the second MERGE finds the first and writes nothing. A claim is one write query that leases
the due messages it returns; FalkorDB runs one write query at a time per graph, so two workers never
lease the same message at once. Moments are stored as ISO 8601 text to the microsecond; the ones a
query ranges over (when a message is due, until when it is leased) also as seconds since the epoch:
FalkorDB's index answers a range on a string property with nodes outside it.
"""
from __future__ import annotations

import builtins
import datetime as dt
import functools
import json
import uuid
from typing import Any

from graph_store.backends import GraphBackend
from graph_store.errors import port_errors
from graph_store.writes import in_place, removing, set_apart

from ..domain.messages import Attempt, Category, Message, Recipient, State
from ..services.ports import MessageNotFound, NotificationsStoreError

FIELDS = "properties(m) AS m"

# One query per batch of new messages, so a key seen before is found, not stored again. It writes
# first (a counter on the one `MessageWrites` node, which has no index, so finding it costs the same
# however often it is written): Neo4j then lets one such query run at a time (FalkorDB runs one write
# query at a time per graph in any case), and the query sets nothing after it creates (ADR 0029): each
# new message is created with its properties in place. The key is unique besides.
ADD = """
MERGE (w:MessageWrites)
WITH w LIMIT 1
SET w.adds = coalesce(w.adds, 0) + 1
WITH w
UNWIND $items AS item
OPTIONAL MATCH (m:Message {{key: item.key}})
FOREACH (_ IN CASE WHEN m IS NULL THEN [1] ELSE [] END | CREATE (:Message {{{fields}}}))
RETURN item.key AS key, m IS NULL AS created, CASE WHEN m IS NULL THEN null ELSE properties(m) END AS m
"""


@functools.lru_cache(maxsize=8)
def adding(fields: tuple[str, ...]) -> str:
    """The ADD query for messages with these properties."""
    return ADD.format(fields=in_place(fields, "item.props"))


# Only while the caller's side sends the outbox's messages (no PartOwner node: the service, as on a new
# installation): a rollback that hands the outbox back and a worker's claim are two write queries, one
# after the other, so no message is claimed to be sent here once the outbox is the monolith's again.
CLAIM = f"""
OPTIONAL MATCH (o:PartOwner {{part: 'outbox'}})
WITH coalesce(o.owner, 'notifications') AS owner
WHERE owner = $owner
MATCH (m:Message)
WHERE m.state = $queued AND m.due <= $now AND (m.lease_until IS NULL OR m.lease_until < $now)
WITH m ORDER BY m.due, m.created_at LIMIT $limit
SET m.lease_until = $until, m.lease = $lease
RETURN {FIELDS}
"""

# The outcome is written whoever holds the lease now: a message a slow worker sent after its lease
# ran out is still recorded as sent (the other claim's send was the duplicate at-least-once allows).
# What the outcome empties (the lease, the next attempt once sent) is removed one property at a time
# (graph_store.writes: FalkorDB 4.16 removes the wrong property when one SET removes several).
SAVE = f"""
MATCH (m:Message {{id: $id}})
SET m += $props
{removing("m")}
RETURN {FIELDS}
"""
LEASE = {"lease_until": None, "lease": None}


def _at(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")


def _moment(text: str | None) -> dt.datetime | None:
    return None if not text else dt.datetime.fromisoformat(text)


def _seconds(moment: dt.datetime) -> float:
    return moment.timestamp()


def _props(message: Message) -> dict[str, Any]:
    """What changes over a message's life (the rest is written once, at ADD)."""
    due = _seconds(message.next_attempt_at) if message.next_attempt_at and message.state == State.QUEUED else None
    return {"state": str(message.state), "attempts": message.attempts, "next_attempt_at": _at(message.next_attempt_at),
            "due": due,
            "sent_at": _at(message.sent_at), "sent_by": message.sent_by, "address": message.address,
            "provider_ref": message.provider_ref, "refused": list(message.refused),
            "history": json.dumps([a.__dict__ for a in message.history])}


def created_props(message: Message) -> dict[str, Any]:
    return {**_props(message), "id": message.id, "key": message.key, "recipient": message.recipient.key,
            "recipient_kind": message.recipient.kind, "recipient_id": message.recipient.id,
            "category": str(message.category), "subject": message.subject, "body": message.body,
            "requested_by": message.requested_by, "created_at": _at(message.created_at), "channel": message.channel,
            "fingerprint": message.fingerprint}


def from_row(row: dict[str, Any]) -> Message:
    return Message(
        id=row["id"], key=row["key"], recipient=Recipient(row["recipient_kind"], int(row["recipient_id"])),
        category=Category(row["category"]), subject=row["subject"], body=row["body"],
        requested_by=row["requested_by"], created_at=_moment(row["created_at"]), channel=row.get("channel") or "preferred",
        state=State(row["state"]), attempts=int(row.get("attempts") or 0), next_attempt_at=_moment(row.get("next_attempt_at")),
        sent_at=_moment(row.get("sent_at")), sent_by=row.get("sent_by") or "", address=row.get("address") or "",
        provider_ref=row.get("provider_ref") or "", refused=tuple(row.get("refused") or ()),
        history=[Attempt(**a) for a in json.loads(row.get("history") or "[]")])


@port_errors(NotificationsStoreError)
class GraphMessages:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def add(self, messages: list[Message]) -> list[tuple[Message, bool]]:
        """Each message as stored, and whether this call stored it (a key stored before, or earlier in
        `messages`, answers the message stored under it)."""
        items: dict[str, dict[str, Any]] = {}
        for message in messages:
            message.id = message.id or uuid.uuid4().hex[:16]
            items.setdefault(message.key, created_props(message))
        stored: dict[str, tuple[Message, bool]] = {}
        batch = list(items.values())
        size = self.db.max_write_items or len(batch)
        for start in range(0, len(batch), size):
            chunk = batch[start:start + size]
            query = adding(tuple(sorted({name for props in chunk for name in props})))
            for row in self.db.write(query, {"items": [{"key": props["key"], "props": props} for props in chunk]}):
                created = bool(row["created"])
                stored[row["key"]] = (from_row(items[row["key"]] if created else row["m"]), created)
        answered: set[str] = set()
        result = []
        for message in messages:
            kept, created = stored[message.key]
            result.append((kept, created and message.key not in answered))
            answered.add(message.key)
        return result

    def get(self, message_id: str) -> Message:
        rows = self.db.read(f"MATCH (m:Message {{id: $id}}) RETURN {FIELDS}", {"id": message_id})
        if not rows:
            raise MessageNotFound(f"no message {message_id}")
        return from_row(rows[0]["m"])

    def by_keys(self, keys: list[str]) -> dict[str, Message]:
        if not keys:
            return {}
        rows = self.db.read(f"MATCH (m:Message) WHERE m.key IN $keys RETURN {FIELDS}", {"keys": list(set(keys))})
        return {row["m"]["key"]: from_row(row["m"]) for row in rows}

    def claim_due(self, now: dt.datetime, until: dt.datetime, limit: int,
                  owner: str = "notifications") -> builtins.list[Message]:
        rows = self.db.write(CLAIM, {"queued": str(State.QUEUED), "now": _seconds(now), "until": _seconds(until),
                                     "lease": uuid.uuid4().hex, "limit": limit, "owner": owner})
        return [from_row(row["m"]) for row in rows]

    def owner(self) -> str:
        rows = self.db.read("MATCH (o:PartOwner {part: 'outbox'}) RETURN o.owner AS owner")
        return rows[0]["owner"] if rows else "notifications"

    def set_owner(self, owner: str) -> None:
        self.db.write("MERGE (o:PartOwner {part: 'outbox'}) SET o.owner = $owner", {"owner": owner})

    def save(self, message: Message) -> None:
        props, removed = set_apart({**_props(message), **LEASE})
        if not self.db.write(SAVE, {"id": message.id, "props": props, "removed": removed}):
            raise MessageNotFound(f"no message {message.id}")

    def list(self, *, recipient: Recipient | None = None, states: builtins.list[State] | None = None,
             limit: int = 100) -> builtins.list[Message]:
        where, params = [], {"limit": limit}
        if recipient is not None:
            where.append("m.recipient = $recipient")
            params["recipient"] = recipient.key
        if states:
            where.append("m.state IN $states")
            params["states"] = [str(s) for s in states]
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.read(f"MATCH (m:Message) {clause} RETURN {FIELDS} ORDER BY m.created_at DESC, m.id LIMIT $limit",
                            params)
        return [from_row(row["m"]) for row in rows]

    def count(self, states: builtins.list[State]) -> int:
        rows = self.db.read("MATCH (m:Message) WHERE m.state IN $states RETURN count(m) AS n",
                            {"states": [str(s) for s in states]})
        return int(rows[0]["n"]) if rows else 0
