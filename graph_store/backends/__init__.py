"""Graph database backends behind one small interface (read, write, schema)."""
from __future__ import annotations

import re
from typing import Any, Protocol

from ..errors import StoreError


class GraphUnavailable(StoreError):
    """The graph database could not be reached or refused the query for a transient reason. A
    StoreError like the others, so every loop that outlives store trouble outlives this too."""


class GraphBackend(Protocol):
    name: str
    max_write_items: int | None  # most records one write may carry (None: any number)

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def ping(self) -> bool: ...  # GraphUnavailable if the server does not answer
    def ensure_schema(self) -> None: ...
    def search_text(self, label: str, words: list[str], limit: int) -> list[tuple[Any, float]]: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


# Every node key the store MERGEs on; each backend turns these into indexes and unique constraints.
# Plain (non-unique) indexes for scans: a report's days (the numeric `created_day`, not the string
# `created_at`: FalkorDB's index answers a two-sided range on a string property with every node, seen
# with 3 nodes), the waiting queue, a customer's tickets, bookings and surveys.
RANGE_INDEXES = [("Ticket", "status"), ("Ticket", "created_day"), ("Ticket", "customer_id"), ("Booking", "ticket_id"),
                 ("Survey", "expert_id"), ("Ticket", "product_id"), ("Article", "product_id"),
                 ("ArticleVersion", "article_id"), ("ArticleVersion", "state")]

# Full-text indexes (label, (property, weight)...): the knowledge base's search. Each backend's own
# engine (FalkorDB: RediSearch with English stemming, weights in the index; Neo4j: Lucene, weights as
# boosts in the query). Title and symptoms say what the problem is; the steps say how to fix it.
FULLTEXT_INDEXES = [("Article", (("title", 2), ("symptoms", 2), ("steps", 1)))]
FULLTEXT_FIELDS = {label: fields for label, fields in FULLTEXT_INDEXES}
WORD = re.compile(r"[a-z0-9]+")


def plain_words(words: list[str]) -> list[str]:
    """Only lower-case letters and digits reach a full-text query: no operator of either engine."""
    return list(dict.fromkeys(w for word in words for w in WORD.findall(word.lower())))


def falkordb_fulltext(backend: "GraphBackend", label: str, words: list[str], limit: int) -> list[tuple[Any, float]]:
    """FalkorDB's full-text procedure (both of its endpoints): any of the words, best score first."""
    terms = plain_words(words)
    if not terms:
        return []
    rows = backend.read(f"CALL db.idx.fulltext.queryNodes('{label}', $q) YIELD node, score "
                        "RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit",
                        {"q": "|".join(terms), "limit": limit})
    return [(row["id"], float(row["score"])) for row in rows]


def falkordb_fulltext_schema(backend: "GraphBackend") -> None:
    """FalkorDB's full-text indexes (both of its endpoints), each field with its weight."""
    present = {row["label"] for row in backend.read("CALL db.indexes() YIELD label, types RETURN label, types")
               if any("FULLTEXT" in kinds for kinds in row["types"].values())}
    for label, properties in FULLTEXT_INDEXES:
        if label not in present:
            names = ", ".join(f"{{field: '{name}', weight: {weight}}}" for name, weight in properties)
            backend.write(f"CALL db.idx.fulltext.createNodeIndex({{label: '{label}', language: 'english'}}, {names})")

UNIQUE_KEYS = [
    ("Ticket", "id"), ("Customer", "id"), ("Contract", "id"), ("Product", "id"), ("Locale", "id"),
    ("Expert", "id"), ("Event", "key"), ("Booking", "key"), ("CallCentreStaff", "username"),
    ("Article", "id"), ("MigrationRun", "id"), ("Survey", "ticket_id"), ("Expertise", "product_id"),
    ("Counter", "name"), ("RaiseRequest", "key"), ("ReportDay", "day"), ("ArticleVersion", "key"), ("Tag", "name"),
    ("Keyword", "word"),
]
