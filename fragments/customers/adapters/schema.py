"""The customers service's part of the graph's schema: the records it holds and what it scans by."""
from graph_store.schema import Schema

SCHEMA = Schema(
    unique_keys=(("Customer", "id"), ("Contract", "id"), ("Plan", "id"), ("Product", "id"), ("Locale", "id")),
    range_indexes=(("Contract", "customer_id"),),
)
