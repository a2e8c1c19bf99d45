"""The last step of the migration protocol (docs/adr/0036): the monolith retired as a whole, once every
part it held has moved, each reconciled. The graph keeps the record: when, by what check, with the last
legacy counts; the launcher reads it to decide what to run, and `sysops monolith-restore` removes it.

One node, `(:MonolithRetirement {name: 'monolith'})`, kept by the protocol like its runs."""
from __future__ import annotations

import json
from typing import Any

from .backends import GraphBackend

NAME = "monolith"
RECORD = ("MERGE (r:MonolithRetirement {name: $name}) "
          "SET r.retired_at = $at, r.figures = $figures RETURN r.retired_at AS at")
READ = "MATCH (r:MonolithRetirement {name: $name}) RETURN r.retired_at AS at, r.figures AS figures"
REMOVE = "MATCH (r:MonolithRetirement {name: $name}) DELETE r RETURN count(r) AS n"


def retire(db: GraphBackend, at: str, figures: dict[str, Any]) -> None:
    """Record the monolith as retired at `at` (ISO time), with what was checked (`figures`)."""
    db.write(RECORD, {"name": NAME, "at": at, "figures": json.dumps(figures, sort_keys=True, default=str)})


def retirement(db: GraphBackend) -> dict[str, Any] | None:
    """{"at", "figures"} if the monolith is retired, else None."""
    rows = db.read(READ, {"name": NAME})
    if not rows:
        return None
    return {"at": rows[0]["at"], "figures": json.loads(rows[0]["figures"] or "{}")}


def restore(db: GraphBackend) -> bool:
    """The monolith may run again (its parts then roll back one by one). True if it was retired."""
    return bool(db.write(REMOVE, {"name": NAME})[0]["n"])
