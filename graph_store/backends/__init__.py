"""Graph database backends behind one small interface (read, write, schema)."""
from __future__ import annotations

import re
from typing import Any, Protocol

from ..errors import StoreError
from ..schema import FullText, Schema


class GraphUnavailable(StoreError):
    """The graph database could not be reached or refused the query for a transient reason. A
    StoreError like the others, so every loop that outlives store trouble outlives this too."""


class GraphBackend(Protocol):
    name: str
    max_write_items: int | None  # most records one write may carry (None: any number)

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def write(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...
    def ping(self) -> bool: ...  # GraphUnavailable if the server does not answer
    def ensure_schema(self, schema: Schema) -> None: ...
    def search_text(self, index: FullText, words: list[str], limit: int) -> list[tuple[Any, float]]: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


WORD = re.compile(r"[a-z0-9]+")


def plain_words(words: list[str]) -> list[str]:
    """Only lower-case letters and digits reach a full-text query: no operator of either engine."""
    return list(dict.fromkeys(w for word in words for w in WORD.findall(word.lower())))


def falkordb_fulltext(backend: "GraphBackend", index: FullText, words: list[str],
                      limit: int) -> list[tuple[Any, float]]:
    """FalkorDB's full-text procedure (both of its endpoints): any of the words, best score first."""
    terms = plain_words(words)
    if not terms:
        return []
    rows = backend.read(f"CALL db.idx.fulltext.queryNodes('{index.label}', $q) YIELD node, score "
                        "RETURN node.id AS id, score ORDER BY score DESC LIMIT $limit",
                        {"q": "|".join(terms), "limit": limit})
    return [(row["id"], float(row["score"])) for row in rows]


def falkordb_fulltext_schema(backend: "GraphBackend", schema: Schema) -> None:
    """FalkorDB's full-text indexes (both of its endpoints), each field with its weight."""
    present = {row["label"] for row in backend.read("CALL db.indexes() YIELD label, types RETURN label, types")
               if any("FULLTEXT" in kinds for kinds in row["types"].values())}
    for index in schema.fulltext:
        if index.label not in present:
            names = ", ".join(f"{{field: '{name}', weight: {weight}}}" for name, weight in index.fields)
            backend.write(f"CALL db.idx.fulltext.createNodeIndex({{label: '{index.label}', language: 'english'}}, "
                          f"{names})")


def falkordb_vocabulary(backend: "GraphBackend", schema: Schema) -> None:
    """Every label and relationship type the services write, made now (a node or an edge created and
    deleted in one query: the graph keeps the name and holds nothing), so that no write under load adds
    one (graph_store/schema.py says why)."""
    labels = {row["label"] for row in backend.read("CALL db.labels() YIELD label RETURN label")}
    types = {row["t"] for row in backend.read("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS t")}
    for label in schema.all_labels():
        if label not in labels:
            backend.write(f"CREATE (n:{_cypher_name(label)}) DELETE n")
    for kind in schema.relationships:
        if kind not in types:
            backend.write(f"CREATE (a)-[r:{_cypher_name(kind)}]->(b) DELETE r, a, b")


def _cypher_name(name: str) -> str:
    """A label or relationship type as Cypher text (names cannot be parameters): letters, digits, '_'."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a label or relationship type: {name!r}")
    return name
