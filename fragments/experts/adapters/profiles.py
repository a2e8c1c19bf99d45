"""Expert profiles in the graph, the ProfileStore port itself: the facts assignment uses (skills,
locales, weekly availability, time off), which other services read only through
fragments/experts/published/profiles_v1.py.

The graph is their one master (docs/adr/0005): each expert's profile is imported once from the
legacy system through the bridge; after that, changes are made here (by the expert or an admin
through the experts fragment) and take effect in assignment immediately.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Iterable

from bridge_client import BridgeClient
from graph_store.backends import GraphBackend
from graph_store.writes import in_place

from ..published import profiles_v1

# Shared Cypher fragments: an expert's expertise and locale relationships from list parameters.
_ADD_SKILLS = """FOREACH (s IN $skills |
  MERGE (e:Expertise {product_id: s.product_id})
  MERGE (p:Product {id: s.product_id})
  MERGE (e)-[:APPLIES_TO]->(p)
  CREATE (x)-[:HAS_EXPERTISE {level: s.level}]->(e))"""
_ADD_LOCALES = "FOREACH (l IN $locale_ids | MERGE (loc:Locale {id: l}) CREATE (x)-[:SERVICES]->(loc))"

IMPORT_EXPERT = f"""
MERGE (x:Expert {{id: $id}})
WITH x WHERE x.profile_imported IS NULL
SET x += $props, x.profile_imported = true
{_ADD_SKILLS}
{_ADD_LOCALES}
RETURN x.id AS id
"""

def _replacing(relationship: str, add: str) -> str:
    """Cypher replacing the expert's `relationship` links with those `add` makes, in one query."""
    return f"""
MATCH (x:Expert {{id: $id}})
OPTIONAL MATCH (x)-[old:{relationship}]->()
DELETE old
WITH DISTINCT x
{add}
RETURN x.id AS id
"""


SET_SKILLS = _replacing("HAS_EXPERTISE", _ADD_SKILLS)
SET_LOCALES = _replacing("SERVICES", _ADD_LOCALES)

READ_EXPERT = """
MATCH (x:Expert {id: $id})
OPTIONAL MATCH (x)-[h:HAS_EXPERTISE]->(e:Expertise)
WITH x, collect({product_id: e.product_id, level: h.level}) AS skills
OPTIONAL MATCH (x)-[:SERVICES]->(l:Locale)
RETURN x {.*} AS expert, skills, collect(l.id) AS locale_ids
"""


def off_dates(time_off: Iterable[dict[str, str]], horizon_start: dt.date, horizon_days: int = 400) -> list[str]:
    """Time-off ranges as the list of dates they cover, within a bounded horizon."""
    end_of_horizon = horizon_start + dt.timedelta(days=horizon_days)
    dates: set[str] = set()
    for period in time_off:
        day = max(dt.date.fromisoformat(period["start_date"]), horizon_start)
        last = min(dt.date.fromisoformat(period["end_date"]), end_of_horizon)
        while day <= last:
            dates.add(day.isoformat())
            day += dt.timedelta(days=1)
    return sorted(dates)


class GraphProfiles:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def import_profile(self, expert: dict[str, Any], today: dt.date) -> bool:
        """Create-only: True if this call imported the profile, False if the graph had it already."""
        props = {"employee_number": expert["employee_number"], "first_name": expert["first_name"],
                 "last_name": expert["last_name"], "email": expert.get("email", ""),
                 "phone": expert.get("phone", ""), "active": expert["active"],
                 "weekly": [f"{a['weekday']}:{a['period']}" for a in expert["weekly_availability"]],
                 "off_dates": off_dates(expert["time_off"], today)}
        rows = self.db.write(IMPORT_EXPERT, {"id": expert["id"], "props": props, "skills": expert["skills"],
                                             "locale_ids": expert["locale_ids"]})
        return bool(rows)

    def import_all(self, bridge: BridgeClient, today: dt.date) -> int:
        return sum(self.import_profile(expert, today) for expert in bridge.experts())

    def get(self, expert_id: int) -> dict[str, Any] | None:
        rows = self.db.read(READ_EXPERT, {"id": expert_id})
        if not rows:
            return None
        row = rows[0]
        expert = row["expert"]
        expert["skills"] = sorted((s for s in row["skills"] if s.get("product_id") is not None),
                                  key=lambda s: s["product_id"])
        expert["locale_ids"] = sorted(row["locale_ids"])
        return expert

    def names(self, expert_ids: list[int]) -> dict[int, str]:
        return profiles_v1.names(self.db, expert_ids)

    def set_skills(self, expert_id: int, skills: list[dict[str, Any]]) -> None:
        self.db.write(SET_SKILLS, {"id": expert_id, "skills": skills})

    def set_locales(self, expert_id: int, locale_ids: list[int]) -> None:
        self.db.write(SET_LOCALES, {"id": expert_id, "locale_ids": locale_ids})

    def set_availability(self, expert_id: int, weekly: list[str], off: list[str]) -> None:
        self.db.write("MATCH (x:Expert {id: $id}) SET x.weekly = $weekly, x.off_dates = $off",
                      {"id": expert_id, "weekly": weekly, "off": off})

    def set_score(self, expert_id: int, score: float, answers: int) -> None:
        self.db.write("MATCH (x:Expert {id: $id}) SET x.score = $score, x.score_answers = $answers",
                      {"id": expert_id, "score": score, "answers": answers})


NEW_EXPERT_ID_BASE = 1_000_000  # experts taken on here: above every legacy id (a rollback writes them there)

# The expert is created with every property in place, after the counter is set (ADR 0029): `taking_on`.
TAKE_ON = """
OPTIONAL MATCH (m:Expert) WHERE m.id >= $base
WITH coalesce(max(m.id), 0) AS top
MERGE (c:Counter {name: 'expert'}) ON CREATE SET c.value = $base
SET c.value = CASE WHEN top > c.value THEN top ELSE c.value END + 1
WITH c.value AS id
"""
TAKEN_ON = {"id": "id", "employee_number": "'N' + toString(id)", "profile_imported": "true", "legacy_behind": "true"}


@functools.lru_cache(maxsize=8)
def taking_on(fields: tuple[str, ...]) -> str:
    return (f"{TAKE_ON}CREATE (x:Expert {{{in_place(fields, '$props', TAKEN_ON)}}})\n{_ADD_SKILLS}\n{_ADD_LOCALES}\n"
            f"RETURN x.id AS id")

ROSTER_FIELDS = ("id", "employee_number", "first_name", "last_name", "email", "phone", "active", "hired_on",
                 "legacy_behind")


class GraphRoster:
    """Every expert as admins keep them (the RosterStore port)."""

    def __init__(self, backend: GraphBackend):
        self.db = backend
        self.profiles = GraphProfiles(backend)

    def everyone(self) -> list[dict[str, Any]]:
        fields = ", ".join(f".{name}" for name in ROSTER_FIELDS)
        rows = self.db.read(f"MATCH (x:Expert) WHERE x.profile_imported = true RETURN x {{{fields}}} AS x "
                            f"ORDER BY x.last_name, x.first_name, x.id")
        return [row["x"] for row in rows]

    def create(self, contact: dict[str, str], skills: list[dict[str, Any]], locale_ids: list[int], weekly: list[str],
               *, hired_on: str) -> dict[str, Any]:
        props = {**contact, "active": True, "weekly": weekly, "off_dates": [], "hired_on": hired_on}
        rows = self.db.write(taking_on(tuple(sorted(props))), {"base": NEW_EXPERT_ID_BASE, "props": props, "skills": skills,
                                       "locale_ids": locale_ids})
        return self._one(rows[0]["id"])

    def set_active(self, expert_id: int, active: bool) -> dict[str, Any]:
        if not self.db.write("MATCH (x:Expert {id: $id}) WHERE x.profile_imported = true "
                             "SET x.active = $active, x.legacy_behind = true RETURN x.id AS id",
                             {"id": expert_id, "active": active}):
            raise KeyError(expert_id)
        return self._one(expert_id)

    def written_back(self, expert_id: int) -> None:
        self.db.write("MATCH (x:Expert {id: $id}) SET x.legacy_behind = false", {"id": expert_id})

    def _one(self, expert_id: int) -> dict[str, Any]:
        expert = self.profiles.get(expert_id) or {}
        expert.setdefault("hired_on", None)
        return expert
