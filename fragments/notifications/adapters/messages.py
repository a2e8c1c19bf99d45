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
import json
import uuid
from typing import Any

from graph_store.backends import GraphBackend
from graph_store.errors import port_errors

from ..domain.messages import Attempt, Category, Message, Recipient, State
from ..services.ports import MessageNotFound, NotificationsStoreError

FIELDS = "properties(m) AS m"

ADD = f"""
UNWIND $items AS item
MERGE (m:Message {{key: item.key}})
ON CREATE SET m += item.props, m.token = item.token
RETURN m.token = item.token AS created, {FIELDS}
"""

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
SAVE = f"""
MATCH (m:Message {{id: $id}})
SET m += $props, m.lease_until = null, m.lease = null
RETURN {FIELDS}
"""


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
        items = []
        for message in messages:
            message.id = message.id or uuid.uuid4().hex[:16]
            items.append({"key": message.key, "token": uuid.uuid4().hex, "props": created_props(message)})
        stored = {}
        size = self.db.max_write_items or len(items)
        for start in range(0, len(items), size):
            for row in self.db.write(ADD, {"items": items[start:start + size]}):
                stored[row["m"]["key"]] = (from_row(row["m"]), bool(row["created"]))
        return [stored[m.key] for m in messages]

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
        if not self.db.write(SAVE, {"id": message.id, "props": _props(message)}):
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
