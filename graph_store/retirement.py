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


# The switch-off after the retirement (ADR 0039): the legacy database archived read-only. Kept until the
# archive is signed off, the way back stays open.
DECOMMISSIONED = ("MERGE (d:MonolithDecommission {name: $name}) SET d.at = $at, d.archive = $archive, "
                  "d.sha256 = $sha256, d.figures = $figures RETURN d.at AS at")
READ_DECOMMISSION = ("MATCH (d:MonolithDecommission {name: $name}) RETURN d.at AS at, d.archive AS archive, "
                     "d.sha256 AS sha256, d.signed_off_at AS signed_off_at, d.signed_off_by AS signed_off_by, "
                     "d.figures AS figures")


def decommission(db: GraphBackend, at: str, archive: str, sha256: str, figures: dict[str, Any]) -> None:
    db.write(DECOMMISSIONED, {"name": NAME, "at": at, "archive": archive, "sha256": sha256,
                              "figures": json.dumps(figures, sort_keys=True, default=str)})


def decommissioned(db: GraphBackend) -> dict[str, Any] | None:
    """{"at", "archive", "sha256", "signed_off_at", "signed_off_by", "figures"} once decommissioned."""
    rows = db.read(READ_DECOMMISSION, {"name": NAME})
    if not rows:
        return None
    return {**rows[0], "figures": json.loads(rows[0]["figures"] or "{}")}


def sign_off(db: GraphBackend, at: str, by: str) -> bool:
    """The archive accepted: from now on there is no way back. False if not decommissioned or signed already."""
    return bool(db.write("MATCH (d:MonolithDecommission {name: $name}) WHERE d.signed_off_at IS NULL "
                         "SET d.signed_off_at = $at, d.signed_off_by = $by RETURN d.at AS at",
                         {"name": NAME, "at": at, "by": by}))


def undo_decommission(db: GraphBackend) -> bool:
    """Back to retired (before the sign-off only). True if there was a record to remove."""
    rows = db.write("MATCH (d:MonolithDecommission {name: $name}) WHERE d.signed_off_at IS NULL "
                    "DELETE d RETURN count(d) AS n", {"name": NAME})
    return bool(rows and rows[0]["n"])


def no_way_back(db: GraphBackend) -> str | None:
    """Why no part may roll back now, if none may: decommissioned (until undone), or signed off."""
    record = decommissioned(db)
    if record is None:
        return None
    if record.get("signed_off_at"):
        return (f"the monolith was decommissioned and its archive signed off at {record['signed_off_at']}: "
                "there is no way back")
    return "the monolith is decommissioned: its database refuses writes; undo it first (sysops decommission --undo)"
