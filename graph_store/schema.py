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
    """`labels` and `relationships`: every node label (beyond those indexed) and relationship type the
    service's queries write, made before any traffic: FalkorDB can crash (a segfault in a reader thread)
    when a write adds a label or type while other queries are being planned (FalkorDB issue 1784, seen
    here in the 100x rehearsal when billing's first bill and payment were linked), so none is ever added
    under load. tests/graph/test_graph_vocabulary.py checks every one used in a query is declared."""

    unique_keys: tuple[Key, ...] = ()
    range_indexes: tuple[Key, ...] = ()
    fulltext: tuple[FullText, ...] = ()
    labels: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()

    def __add__(self, other: Schema) -> Schema:
        def union(a: tuple, b: tuple) -> tuple:
            return tuple(dict.fromkeys(a + b))

        return Schema(union(self.unique_keys, other.unique_keys), union(self.range_indexes, other.range_indexes),
                      union(self.fulltext, other.fulltext), union(self.labels, other.labels),
                      union(self.relationships, other.relationships))

    def all_labels(self) -> tuple[str, ...]:
        """Every node label: those indexed and those declared."""
        return tuple(dict.fromkeys([label for label, _ in self.unique_keys + self.range_indexes]
                                   + [index.label for index in self.fulltext] + list(self.labels)))


# What the migration protocol itself keeps in the graph: its runs (graph_store/reconciliation.py) and the
# id counters of records born in the graph, and the monolith's retirement (graph_store/retirement.py).
# The operator's erasure records (sysops/erasure.py) are kept beside them.
PROTOCOL = Schema(unique_keys=(("MigrationRun", "id"), ("Counter", "name"), ("MonolithRetirement", "name"),
                                ("MonolithDecommission", "name")), labels=("Erasure",))
