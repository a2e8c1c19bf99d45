"""The notifications service's part of the graph's schema: a message per idempotency key, a recipient
per person; the worker scans queued messages by due time, the screens by recipient and state."""
from graph_store.schema import Schema

SCHEMA = Schema(
    unique_keys=(("Message", "key"), ("Message", "id"), ("Recipient", "key"), ("PartOwner", "part")),
    # `due`: seconds since the epoch (a range over a string property's index is not to be trusted).
    range_indexes=(("Message", "state"), ("Message", "recipient"), ("Message", "due"), ("Message", "legacy_id")),
)
