"""The identity service's part of the graph's schema: the accounts it holds and the name they sign in by."""
from graph_store.schema import Schema

SCHEMA = Schema(unique_keys=(("Account", "id"),), range_indexes=(("Account", "username"),))
