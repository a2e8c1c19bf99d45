"""Keeping FalkorDB's indexes lean: a write to a node never leaves a lookup slower for good.

FalkorDB indexes a node again at every write to it (whichever property changed) and keeps the record
it wrote before: the index's garbage collector does not run (`CALL db.indexes()` shows `gcPolicy 0`,
`totalCollected 0`, and `numRecords` growing while `numDocuments` stays). A lookup of a value walks
every record ever written for it, live or not. So a node written often is found more slowly with
every write: the ticket counter and today's report day (both written by every raise), the outbox's
owner, a status that many tickets pass through. Measured here (FalkorDB 4.16, graph module 41603):
one node found by its indexed id and written, 0.05 ms at first, 0.44 ms after 40,000 writes; a raise's
create 1.1 ms inside the server on a fresh graph, 3.9 ms after 12,000 raises. Without bound, until the
index is built again (a restart that loads a snapshot does, an AOF replay does not).

Adding a field to a label's index builds the whole index anew, in the background, beside the old one:
lookups and the unique constraints go on using the old one until the new one replaces it, writes go on
(slowed while it is built: at 300,000 nodes, writes p50 3.8 ms, at worst 65 ms, over about 1 s), and
every node written meanwhile is in the new one. The upkeep does that for a label whose stale records
outnumber its live ones (and at least `FLOOR`): it adds `MARKER`, a field no node has, waits until the
index is in service, drops the marker again (another fresh build) and waits again. A label's rebuild
so costs about what its writes cost since the last one, and no lookup walks more than twice its live
records (or `FLOOR` stale ones). A marker left behind by a crash is dropped at the next pass.

Only on the primary (a replica refuses writes and gets its indexes from its own load); every graph in
the server (`GRAPH.LIST`)."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Iterable

import redis
from falkordb.graph import Graph

log = logging.getLogger(__name__)

FLOOR = 1000
MARKER = "index_upkeep_rebuild"
READY = "OPERATIONAL"


@dataclass(frozen=True)
class LabelIndex:
    label: str
    fields: tuple[str, ...]
    documents: int
    records: int
    in_service: bool

    @property
    def live(self) -> int:
        """Records of the nodes as they are: one per node and indexed field (fewer where a node has no
        value for a field; then `stale` counts low, and the rebuild comes a little later)."""
        return self.documents * len(self.fields)

    @property
    def stale(self) -> int:
        return max(0, self.records - self.live)

    def needs_rebuild(self, floor: int = FLOOR) -> bool:
        return self.in_service and (MARKER in self.fields or self.stale >= max(floor, self.live))


def label_indexes(graph: Graph) -> list[LabelIndex]:
    rows = graph.ro_query("CALL db.indexes() YIELD label, properties, types, entitytype, status, info "
                          "RETURN label, properties, types, entitytype, status, info").result_set
    found = []
    for label, fields, types, entity, status, info in rows:
        # Range fields only: a full-text field's records are its words, not one per node.
        if entity != "NODE" or any("RANGE" not in kinds for kinds in dict(types).values()):
            continue
        found.append(LabelIndex(label, tuple(fields), int(info["numDocuments"]), int(info["numRecords"]),
                                status == READY))
    return found


def rebuild(graph: Graph, index: LabelIndex, timeout: float = 600.0) -> None:
    """Build `index` anew (twice: the marker added, then dropped; once when a crash left it there)."""
    if MARKER not in index.fields:
        graph.query(f"CREATE INDEX FOR (n:{index.label}) ON (n.{MARKER})")
        _await_in_service(graph, index.label, timeout)
    graph.query(f"DROP INDEX ON :{index.label}({MARKER})")
    _await_in_service(graph, index.label, timeout)


def _await_in_service(graph: Graph, label: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = graph.ro_query("CALL db.indexes() YIELD label, status WHERE label = $label RETURN status",
                              {"label": label}).result_set
        if all(row[0] == READY for row in rows):
            return
        time.sleep(0.02)
    raise TimeoutError(f"the index of {label} is still being built after {timeout:.0f} s")


def keep_lean(client: redis.Redis, floor: int = FLOOR, graphs: Iterable[str] | None = None) -> list[tuple[str, str, int]]:
    """One pass over the server's graphs (`graphs`, else every one): (graph, label, stale records) of
    each index rebuilt."""
    if client.info("replication").get("role") != "master":
        return []
    rebuilt = []
    names = [n.decode() if isinstance(n, bytes) else n for n in client.execute_command("GRAPH.LIST")]
    for name in names if graphs is None else [n for n in names if n in set(graphs)]:
        graph = Graph(client, name)
        for index in label_indexes(graph):
            if index.needs_rebuild(floor):
                started = time.monotonic()
                rebuild(graph, index)
                log.info("graph %s: the index of %s rebuilt (%d stale records beside %d live) in %.2f s", name,
                         index.label, index.stale, index.live, time.monotonic() - started)
                rebuilt.append((name, index.label, index.stale))
    return rebuilt

