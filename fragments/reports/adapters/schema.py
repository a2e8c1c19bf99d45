"""The reports' part of the graph's schema: the day summaries they keep."""
from graph_store.schema import Schema

SCHEMA = Schema(unique_keys=(("ReportDay", "day"),))
