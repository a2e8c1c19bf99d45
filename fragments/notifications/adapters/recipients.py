"""Recipients in the graph, the Recipients port: how each person is reached and how they like it.

How a person likes to be reached (channel, opt-outs) is this service's own from the first time it
meets them: copied then from their record, changed only here after that. A customer's name, email
address and phone number are the customers service's (ADR 0025): read from what it publishes at every
contact, so a number changed a moment ago gets the next text; the copy kept here is what a message uses
while the customers' records cannot be read. An expert's are the experts service's (ADR 0026), read from
its published profiles at every contact; only an expert whose profile is not held there yet is read
from the monolith (a copy refreshed when older than REFRESH, so that a monolith that does not answer
delays no message to anyone met before). A person met for the first time while their record cannot be read waits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from bridge_client import BridgeClient, BridgeError
from fragments.customers.published.reader_v1 import CustomerReader, CustomersUnavailable, CustomerUnknown
from fragments.experts.published import profiles_v1
from graph_store.backends import GraphBackend
from graph_store.errors import StoreError, port_errors

from ..domain.messages import Category, Channel, Recipient
from ..domain.routing import Contact
from ..services.ports import NotificationsStoreError, RecipientUnavailable, RecipientUnknown

REFRESH = dt.timedelta(hours=1)
FIELDS = "properties(r) AS r"

# Addresses are the monolith's (refreshed); channel and opt-outs are written only when first met.
COPY = f"""
UNWIND $people AS p
MERGE (r:Recipient {{key: p.key}})
ON CREATE SET r.preferred = p.preferred, r.opted_out = [], r.kind = p.kind, r.id = p.id
SET r.name = p.name, r.email = p.email, r.phone = p.phone, r.copied_at = p.copied_at
RETURN {FIELDS}
"""

CHOOSE = f"""
MATCH (r:Recipient {{key: $key}})
SET r.preferred = $preferred, r.opted_out = $opted_out, r.chosen_at = $at
RETURN {FIELDS}
"""


def contact_of(row: dict[str, Any]) -> Contact:
    return Contact(name=row.get("name") or "", email=row.get("email") or "", phone=row.get("phone") or "",
                   preferred=Channel(row.get("preferred") or "email"),
                   opted_out=frozenset(Category(c) for c in row.get("opted_out") or ()))


def from_legacy(recipient: Recipient, person: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """A monolith record (customer or expert, as the bridge serves it) as this service copies it."""
    preferred = person.get("notification_preference") if recipient.kind == "customer" else "sms"
    return {"key": recipient.key, "kind": recipient.kind, "id": recipient.id,
            "name": f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
            "email": person.get("email") or "", "phone": person.get("phone") or "",
            "preferred": preferred if preferred in tuple(Channel) else "email", "copied_at": at.isoformat()}


@port_errors(NotificationsStoreError)
class GraphRecipients:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient, clock: Callable[[], dt.datetime] = dt.datetime.now,
                 customers: CustomerReader | None = None, experts_from_profiles: bool = True):
        self.db, self.bridge, self.clock = backend, bridge, clock
        self.customers = customers  # None: customers' addresses copied from the monolith
        self.experts_from_profiles = experts_from_profiles

    def _rows(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.db.read(f"MATCH (r:Recipient) WHERE r.key IN $keys RETURN {FIELDS}", {"keys": keys})
        return {row["r"]["key"]: row["r"] for row in rows}

    def known(self, recipients: list[Recipient]) -> dict[str, Contact]:
        keys = sorted({r.key for r in recipients})
        return {key: contact_of(row) for key, row in self._rows(keys).items()} if keys else {}

    def contact(self, recipient: Recipient) -> Contact:
        row = self._rows([recipient.key]).get(recipient.key)
        if recipient.kind == "customer" and self.customers is not None:
            return self._customer(recipient, row)
        if recipient.kind == "expert" and self.experts_from_profiles:
            profile = profiles_v1.contact(self.db, recipient.id)
            if profile is not None:  # the experts service's own record (ADR 0026): no monolith on the way
                return self._refreshed(recipient, row, profile)
        fresh = row is not None and self.clock() - dt.datetime.fromisoformat(row["copied_at"]) < REFRESH
        if fresh:
            return contact_of(row)
        try:
            person = self._legacy(recipient)
        except RecipientUnavailable:
            if row is not None:  # the copy will do until the monolith answers again
                return contact_of(row)
            raise
        return contact_of(self.copy([(recipient, person)])[0])

    def _customer(self, recipient: Recipient, row: dict[str, Any] | None) -> Contact:
        assert self.customers is not None
        try:
            person = self.customers.customer(recipient.id)
        except CustomerUnknown as exc:
            raise RecipientUnknown(f"no customer {recipient.id}") from exc
        except (CustomersUnavailable, StoreError) as exc:
            if row is not None:  # the copy will do until the customers' records answer again
                return contact_of(row)
            raise RecipientUnavailable(f"the customer's record cannot be read now: {exc}") from exc
        return self._refreshed(recipient, row, person)

    def _refreshed(self, recipient: Recipient, row: dict[str, Any] | None, person: dict[str, Any]) -> Contact:
        fresh = from_legacy(recipient, person, self.clock())
        if row is None or any(row.get(name) != fresh[name] for name in ("name", "email", "phone")):
            row = self.copy([(recipient, person)])[0]
        return contact_of(row)

    def copy(self, people: list[tuple[Recipient, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Copy (or refresh) people from their monolith records; their choices here are kept."""
        at = self.clock()
        rows = []
        size = self.db.max_write_items or len(people) or 1
        for start in range(0, len(people), size):
            batch = [from_legacy(r, p, at) for r, p in people[start:start + size]]
            rows += [row["r"] for row in self.db.write(COPY, {"people": batch})]
        return rows

    def set_preferences(self, recipient: Recipient, channel: Channel, opted_out: frozenset[Category]) -> Contact:
        self.contact(recipient)  # copied first: the address comes from the monolith
        rows = self.db.write(CHOOSE, {"key": recipient.key, "preferred": str(channel),
                                      "opted_out": sorted(str(c) for c in opted_out), "at": self.clock().isoformat()})
        return contact_of(rows[0]["r"])

    def _legacy(self, recipient: Recipient) -> dict[str, Any]:
        try:
            if recipient.kind == "customer":
                return self.bridge.get_customer(recipient.id)
            return self.bridge.get_expert(recipient.id)
        except BridgeError as exc:
            if exc.status == 404:
                raise RecipientUnknown(f"no {recipient.kind} {recipient.id}") from exc
            raise RecipientUnavailable(f"the {recipient.kind}'s record cannot be read now: {exc}") from exc
