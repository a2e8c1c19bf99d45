"""Expert profiles as other services may read them, version 1.

The experts service owns each Expert node's profile: names and contact details, `active`, `weekly`
("<weekday>:<period>" entries), `off_dates` (ISO dates) and the HAS_EXPERTISE and SERVICES
relationships. Ticketing composes `QUALIFIED` and `FREE_AT` into its one candidate query (one round
trip per dispatch); reports and ticketing read names through `names`. Anything else of the profile is
the experts service's to change. A change that breaks what is here is a `profiles_v2` beside this one,
kept until no reader is left. The contract: tests/graph/test_published_profiles.py.

This module imports nothing of the experts service, so a reader deploys it without the service.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from foundation.vocabulary import iso, period_of

VERSION = 1

# Binds `x` to each active expert with the skill for $product_id who serves $locale_id, once each.
QUALIFIED = """
MATCH (x:Expert {active: true})-[:HAS_EXPERTISE]->(:Expertise {product_id: $product_id})
MATCH (x)-[:SERVICES]->(:Locale {id: $locale_id})
WITH DISTINCT x
"""

# True where the expert bound to `x` works at the slot bound to `s` (a map made by `slot_facts`).
FREE_AT = "s.pattern IN x.weekly AND NOT s.date IN x.off_dates"


class Reader(Protocol):
    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...


def slot_facts(starts_at: dt.datetime) -> dict[str, str]:
    """A slot as FREE_AT reads it."""
    return {"starts_at": iso(starts_at), "date": starts_at.date().isoformat(),
            "pattern": f"{starts_at.weekday()}:{period_of(starts_at)}"}


def names(db: Reader, expert_ids: list[int]) -> dict[int, str]:
    """Each known expert's "first last"; unknown ids are left out."""
    if not expert_ids:
        return {}  # a fresh ticket has no expert yet: no round trip for nothing
    rows = db.read("UNWIND $ids AS id MATCH (x:Expert {id: id}) WHERE x.first_name IS NOT NULL "
                   "RETURN x.id AS id, x.first_name AS first, x.last_name AS last", {"ids": sorted(set(expert_ids))})
    return {row["id"]: f"{row['first']} {row['last']}" for row in rows}


def imported_count(db: Reader) -> int:
    """How many profiles were imported from the monolith or created here (migration progress)."""
    rows = db.read("MATCH (x:Expert) WHERE x.profile_imported = true RETURN count(x) AS n")
    return rows[0]["n"] if rows else 0


# One value per row: the client decodes each returned value on its own, and a roster is thousands of rows
# (2,000 experts at 100x: three values a row cost three times one). "\x1f" (unit separator) never
# appears in a name; a leading "-" marks an expert not imported yet (no names).
ROSTER = ("MATCH (x:Expert) RETURN CASE WHEN x.first_name IS NULL THEN '-' + toString(x.id) "
          "ELSE toString(x.id) + '\x1f' + x.first_name + '\x1f' + coalesce(x.last_name, '') END AS row "
          "ORDER BY x.id")


def roster(db: Reader) -> list[dict[str, Any]]:
    """Every expert the graph knows, by id: id, first_name, last_name (None for one not imported yet)."""
    experts = []
    for row in db.read(ROSTER):
        text = row["row"]
        if text.startswith("-"):
            experts.append({"id": int(text[1:]), "first_name": None, "last_name": None})
            continue
        expert_id, first, last = text.split("\x1f", 2)
        experts.append({"id": int(expert_id), "first_name": first, "last_name": last})
    return experts


def contact(db: Reader, expert_id: int) -> dict[str, Any] | None:
    """How an expert is reached (first_name, last_name, email, phone, active), or None for an expert whose
    profile is not held here (not imported yet)."""
    rows = db.read("MATCH (x:Expert {id: $id}) WHERE x.profile_imported = true RETURN x {.first_name, .last_name, "
                   ".email, .phone, .active} AS x", {"id": expert_id})
    return rows[0]["x"] if rows else None
