"""Every node label and relationship type a query writes is declared in the schema the services make at
start (graph_store/schema.py: FalkorDB can crash when a write adds one while other queries are being
planned), so none is ever added under load."""
from __future__ import annotations

import re
from pathlib import Path

from sysops.graph_data import SCHEMA

ROOT = Path(__file__).resolve().parents[2]
CODE = ("fragments", "graph_store", "sysops", "foundation", "bridge_api")
RELATIONSHIP = re.compile(r"-\[\w*:([A-Z][A-Z_|]*)[\s\]{*]")  # -[:HOLDS]->, <-[a:ALLOCATED {..}]-, -[:A|B]-
LABEL = re.compile(r"\(\w*:([A-Z][A-Za-z]+)[\s){]")  # (t:Ticket {..}), (:Expert), MERGE (c:Customer)


def used() -> tuple[set[str], set[str]]:
    labels, types = set(), set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            for found in RELATIONSHIP.findall(text):
                types.update(found.split("|"))
            labels.update(LABEL.findall(text))
    return labels, types


def test_every_label_and_relationship_type_a_query_names_is_made_at_start():
    labels, types = used()
    assert len(labels) > 30 and len(types) > 15  # the scan finds the queries
    assert sorted(labels - set(SCHEMA.all_labels())) == []
    assert sorted(types - set(SCHEMA.relationships)) == []


def test_the_scan_sees_a_label_or_type_that_is_not_declared():
    assert RELATIONSHIP.findall("MATCH (a)-[:NEW_KIND]->(b)") == ["NEW_KIND"]
    assert RELATIONSHIP.findall("MATCH (a)<-[x:NEW_KIND {at: 1}]-(b)") == ["NEW_KIND"]
    assert LABEL.findall("MERGE (n:NewThing {id: $id})") == ["NewThing"]
    assert "NEW_KIND" not in SCHEMA.relationships and "NewThing" not in SCHEMA.all_labels()


def test_a_graph_made_ready_holds_every_name_and_no_node_or_edge_and_a_second_start_writes_nothing(graph_backend):
    """On FalkorDB through both of its endpoints (the graph tests' `graph_backend`: made ready with SCHEMA)."""
    labels = {row["label"] for row in graph_backend.read("CALL db.labels() YIELD label RETURN label")}
    types = {row["t"] for row in graph_backend.read(
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS t")}
    assert set(SCHEMA.all_labels()) <= labels and set(SCHEMA.relationships) <= types
    assert graph_backend.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    writes = []
    write = graph_backend.write
    graph_backend.write = lambda query, params=None: writes.append(query) or write(query, params)
    try:
        graph_backend.ensure_schema(SCHEMA)
    finally:
        del graph_backend.write
    assert [q for q in writes if q.startswith("CREATE (")] == []
