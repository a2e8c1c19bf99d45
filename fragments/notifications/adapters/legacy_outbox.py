"""The monolith's outbox moving to this service, with the one migration protocol (graph_store/lazy.py):
freeze, copy, mark, reconcile, roll back (docs/adr/0023).

At any moment each message is sent by exactly one side:
- the monolith's outbox worker sends only messages that are not frozen; the freeze takes only messages
  no live lease holds (one being sent there finishes there, and its outcome is copied later);
- this service sends only what it holds while it owns the outbox (`PartOwner` in the graph, checked
  inside the claim query);
- a rollback hands every message still queued here back to the monolith under its own key: the
  legacy row is unfrozen (or created), and this copy is marked `returned`.
Keys, and so email Message-IDs (foundation/mail.py), are the same on both sides.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from bridge_client import BridgeClient, BridgeError
from graph_store.backends import GraphBackend
from graph_store.backfill import backfill_ids
from graph_store.lazy import LazyMigration
from graph_store.reconciliation import Reconciliation, reconcile_part
from graph_store.writes import set_apart

from ..domain.messages import Attempt, Category, Message, Recipient, State
from ..services.delivery import HandBack
from .messages import GraphMessages, created_props

log = logging.getLogger(__name__)
PART = "outbox"

# A new key is created; a copy handed back by a rollback and taken over again is re-taken with what
# the legacy outbox made of it since (it may have sent it meanwhile). A message the service already
# holds under the key (handed over by the bridge's old routes) only learns its legacy row.
WRITE = """
UNWIND $items AS item
MERGE (m:Message {key: item.mkey})
ON CREATE SET m += item.props, m.token = $token
WITH m, item, m.token = $token AS created
SET m.legacy_id = item.key, m.legacy_checksum = item.props.legacy_checksum
WITH m, item, created
WHERE created OR m.state = 'returned'
SET m += item.retake, m.token = $token
FOREACH (gone IN item.gone | SET m += gone)
RETURN item.key AS id
"""

LEGACY_STATES = {"queued": State.QUEUED, "sent": State.SENT, "failed": State.FAILED}


def category_of(key: str) -> Category:
    """What a legacy message is about, from its key's first word (the senders' convention); anything
    else is treated as urgent and not optional, so it goes out at once to everyone."""
    return {"received": Category.CONFIRMATION, "booked": Category.CONFIRMATION, "offer": Category.OFFER,
            "survey": Category.SURVEY, "remind": Category.REMINDER}.get(key.split(":", 1)[0], Category.ALERT)


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def message_of(record: dict[str, Any], now: dt.datetime) -> Message:
    """A frozen legacy outbox row as a message of this service, in the state the monolith left it."""
    state = LEGACY_STATES.get(record["status"], State.QUEUED)
    message = Message(key=record["idempotency_key"], recipient=Recipient(record["recipient"]["kind"],
                                                                         int(record["recipient"]["id"])),
                      category=category_of(record["idempotency_key"]), subject=record["subject"], body=record["body"],
                      requested_by=record.get("requested_by") or "legacy", created_at=_moment(record["created_at"]) or now,
                      channel=record["channel"], state=state, attempts=int(record.get("attempts") or 0),
                      sent_at=_moment(record.get("sent_at")), id=f"legacy-{record['id']}")
    if state == State.QUEUED:
        message.next_attempt_at = min(_moment(record.get("next_attempt_at")) or now, now)
        message.attempts = 0  # a fresh round here
    else:
        message.sent_by, message.address = record["channel"], record.get("address") or ""
    message.history.append(Attempt(now.isoformat(timespec="seconds"), "", "copied",
                                   f"from the legacy outbox (#{record['id']}, {record['status']})"))
    return message


class OutboxPart:
    """The outbox as a part of the migration protocol (graph_store/lazy.py's Part)."""

    name = PART
    write_query = WRITE

    def freeze(self, bridge: BridgeClient, ids: list[int], reader: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return bridge.freeze_outbox(ids)

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        message = message_of(record, now)
        props = {**created_props(message), "legacy_id": record["id"], "legacy_checksum": record["checksum"],
                 "copied_via": via}
        retake = {k: props[k] for k in ("state", "attempts", "next_attempt_at", "due", "sent_at", "sent_by", "address",
                                        "history", "legacy_id", "legacy_checksum", "copied_via")}
        retake, gone = set_apart(retake)  # what the re-take empties, one property at a time (graph_store.writes)
        return {"key": record["id"], "mkey": message.key, "props": props, "retake": retake, "gone": gone}

    def mark(self, bridge: BridgeClient, ids: list[int]) -> None:
        bridge.mark_outbox(ids)

    def after_write(self, backend: GraphBackend, shapes: list[dict[str, Any]]) -> None:
        return None

    def missing(self, record_id: int) -> Exception:
        return LookupError(f"no legacy message {record_id}")

    def legacy_checksums(self, bridge: BridgeClient, page_size: int) -> Iterator[dict[str, Any]]:
        for item in bridge.outbox_checksums():
            yield {"id": item["id"], "checksum": item["checksum"], "frozen_at": True if item["frozen"] else None,
                   "migrated_at": True if item["migrated"] else None}

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        rows = backend.read("MATCH (m:Message) WHERE m.legacy_id IN $ids AND m.state <> 'returned' "
                            "RETURN m.legacy_id AS id, m.legacy_checksum AS checksum", {"ids": ids})
        return {int(row["id"]): row["checksum"] for row in rows}


class BridgeLegacyOutbox:
    """The LegacyOutbox port: hand messages back to the monolith's outbox through the bridge."""

    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def hand_back(self, messages: list[Message]) -> dict[str, str | None]:
        items = [{"idempotency_key": m.key, "channel": m.channel if m.channel in ("email", "sms") else "preferred",
                  "recipient": {"kind": m.recipient.kind, "id": m.recipient.id}, "subject": m.subject[:200],
                  "body": m.body} for m in messages]
        outcomes = self.bridge.hand_back(items)
        return {o["key"]: (f"legacy:{o['id']}" if o.get("id") else None) for o in outcomes}


@dataclass
class Switch:
    copied: int = 0
    seen: int = 0
    rounds: int = 0
    waited_s: float = 0.0
    left: list[int] = field(default_factory=list)  # still held by a lease after the wait
    reconciliation: Reconciliation | None = None


def outbox_migration(backend: GraphBackend, bridge: BridgeClient) -> LazyMigration:
    return LazyMigration(backend, bridge, OutboxPart())


def switch(backend: GraphBackend, bridge: BridgeClient, *, wait_s: float = 120.0, poll_s: float = 0.5,
           now: dt.datetime | None = None) -> Switch:
    """Make this service the outbox's sender: own it here, then in the monolith (its old routes hand
    new messages over from then on), copy every legacy message (those being sent there once their
    send ends, waiting up to `wait_s`), mark them, and reconcile. Resumable: run it again."""
    GraphMessages(backend).set_owner("notifications")
    bridge.set_outbox_owner("notifications")
    migration = outbox_migration(backend, bridge)
    result = Switch()
    started = time.monotonic()
    while True:
        result.rounds += 1
        done = backfill_ids(migration, bridge.outbox_ids(migrated="false"), batch_size=200, workers=1, via="switch")
        result.copied += done.migrated
        result.seen += done.seen
        left = list(bridge.outbox_ids(migrated="false"))
        if not left or time.monotonic() - started > wait_s:
            result.left = left
            break
        time.sleep(poll_s)  # a message under a live lease: its send ends (or its lease does) first
    result.waited_s = time.monotonic() - started
    result.reconciliation = reconcile(backend, bridge, now)
    return result


def reconcile(backend: GraphBackend, bridge: BridgeClient, now: dt.datetime | None = None) -> Reconciliation:
    """Every legacy message against its copy: safe repairs (a mark, a frozen message copied again) made."""
    return reconcile_part(outbox_migration(backend, bridge), PART, now)


@dataclass
class Rollback:
    handed_back: int = 0
    rounds: int = 0


def roll_back(backend: GraphBackend, bridge: BridgeClient, *, clock=dt.datetime.now, wait_s: float = 120.0) -> Rollback:
    """Give the outbox back to the monolith: stop sending here (the claim query sees the owner at once),
    let the monolith send and stop handing new messages over, then hand back every message still
    queued here (each once, under its own key; a message this service is sending finishes first)."""
    messages = GraphMessages(backend)
    messages.set_owner("legacy")
    bridge.set_outbox_owner("legacy")
    hand_back = HandBack(messages, BridgeLegacyOutbox(bridge), clock)
    result = Rollback()
    started = time.monotonic()
    while True:
        result.rounds += 1
        try:
            moved = hand_back.run_once(100)
        except BridgeError as exc:
            log.warning("hand-back paused: %s", exc)
            moved = 0
        result.handed_back += moved
        if moved:
            continue
        waiting = messages.count([State.QUEUED])
        if not waiting or time.monotonic() - started > wait_s:
            return result
        time.sleep(0.5)  # leased by a worker still sending, or due later (a back-off, quiet hours)
