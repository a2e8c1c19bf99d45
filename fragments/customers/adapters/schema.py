"""The customers service's part of the graph's schema: the records it holds and what it scans by."""
from graph_store.schema import Schema

SCHEMA = Schema(
    unique_keys=(("Customer", "id"), ("Contract", "id"), ("Plan", "id"), ("Product", "id"), ("Locale", "id"),
                 ("Bill", "key"), ("Payment", "key"), ("PaymentMethod", "id"), ("BillingRun", "month")),
    range_indexes=(("Contract", "customer_id"), ("Bill", "customer_id"), ("Bill", "period"), ("Bill", "legacy_id"),
                   ("PaymentMethod", "customer_id")),
    relationships=("HOLDS", "BILLED", "PAID_BY"),
)
