"""The notifications service's part of the graph's schema: a message per idempotency key, a recipient
per person, a staff alert per key; the worker scans queued messages by due time, the screens by
recipient and state, the outbox page the alerts by when they were raised."""
from graph_store.schema import Schema

SCHEMA = Schema(
    unique_keys=(("Message", "key"), ("Message", "id"), ("Recipient", "key"), ("PartOwner", "part"),
                 ("StaffAlert", "key")),
    # `due`: seconds since the epoch (a range over a string property's index is not to be trusted).
    range_indexes=(("Message", "state"), ("Message", "recipient"), ("Message", "due"), ("Message", "legacy_id"),
                   ("StaffAlert", "at_s"), ("StaffAlert", "source")),
    labels=("MessageWrites",),
)
