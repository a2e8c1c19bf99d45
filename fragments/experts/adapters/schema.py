"""The experts service's part of the graph's schema: profiles and what they link to."""
from graph_store.schema import Schema

SCHEMA = Schema(unique_keys=(("Expert", "id"), ("Expertise", "product_id"), ("Product", "id"), ("Locale", "id")),
                relationships=("HAS_EXPERTISE", "APPLIES_TO", "SERVICES"))
