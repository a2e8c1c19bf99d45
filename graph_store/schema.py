"""What a service asks of the graph's schema: the node keys it MERGEs on (unique), the properties it
scans by (plain indexes) and its full-text indexes. Each service declares its own beside its queries
(`fragments/<name>/adapters/schema.py`); the backends turn a union of them into DDL."""
from __future__ import annotations

from dataclasses import dataclass

Key = tuple[str, str]  # (label, property)


@dataclass(frozen=True)
class FullText:
    """A full-text index of one label: each property with its weight (title over body, say)."""

    label: str
    fields: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Schema:
    unique_keys: tuple[Key, ...] = ()
    range_indexes: tuple[Key, ...] = ()
    fulltext: tuple[FullText, ...] = ()

    def __add__(self, other: Schema) -> Schema:
        def union(a: tuple, b: tuple) -> tuple:
            return tuple(dict.fromkeys(a + b))

        return Schema(union(self.unique_keys, other.unique_keys), union(self.range_indexes, other.range_indexes),
                      union(self.fulltext, other.fulltext))


# What the migration protocol itself keeps in the graph: its runs (graph_store/reconciliation.py) and the
# id counters of records born in the graph, and the monolith's retirement (graph_store/retirement.py).
PROTOCOL = Schema(unique_keys=(("MigrationRun", "id"), ("Counter", "name"), ("MonolithRetirement", "name"),
                                ("MonolithDecommission", "name")))
