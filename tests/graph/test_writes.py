"""graph_store.writes against the graph itself: properties emptied one SET at a time stay right where
one SET emptying several is not (FalkorDB 4.16, ADR 0030)."""
from __future__ import annotations

import itertools

from graph_store.writes import removing, set_apart

PROPERTIES = {name: number for number, name in enumerate("abcdef", 1)}


def _after(backend, query: str, params: dict) -> dict:
    backend.write("MATCH (n:WritesProbe) DELETE n")
    backend.write("CREATE (:WritesProbe {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6})")
    return backend.write(query, params)[0]["p"]


def test_every_order_of_two_to_four_removals_keeps_every_other_property(graph_backend):
    query = f"MATCH (n:WritesProbe) SET n += $values {removing('n')} RETURN properties(n) AS p"
    for count in (2, 3, 4):
        for emptied in itertools.permutations(PROPERTIES, count):
            values, removed = set_apart({**{name: None for name in emptied}, "z": 26})
            expected = {name: number for name, number in PROPERTIES.items() if name not in emptied} | {"z": 26}
            assert _after(graph_backend, query, {"values": values, "removed": removed}) == expected, emptied

