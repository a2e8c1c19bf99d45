"""The experts' ProfileStore port in memory, with the graph adapter's semantics (skills by product,
locales in order), for the fast tests; tests/graph/test_profiles_contract.py holds both to one contract."""
from __future__ import annotations

import copy
from typing import Any


class MemoryProfiles:
    def __init__(self, rows: dict[int, dict[str, Any]] | None = None):
        self.rows: dict[int, dict[str, Any]] = {}
        for expert_id, row in (rows or {}).items():
            self.rows[expert_id] = {"id": expert_id, "skills": [], "locale_ids": [], "weekly": [], "off_dates": []}
            self.set_skills(expert_id, row.get("skills", []))
            self.set_locales(expert_id, row.get("locale_ids", []))
            self.set_availability(expert_id, row.get("weekly", []), row.get("off_dates", []))

    def get(self, expert_id: int) -> dict[str, Any] | None:
        row = self.rows.get(expert_id)
        return copy.deepcopy(row) if row is not None else None

    def set_skills(self, expert_id: int, skills: list[dict[str, Any]]) -> None:
        if expert_id in self.rows:
            self.rows[expert_id]["skills"] = sorted(({"product_id": s["product_id"], "level": s.get("level")}
                                                     for s in skills), key=lambda s: s["product_id"])

    def set_locales(self, expert_id: int, locale_ids: list[int]) -> None:
        if expert_id in self.rows:
            self.rows[expert_id]["locale_ids"] = sorted(set(locale_ids))

    def set_availability(self, expert_id: int, weekly: list[str], off: list[str]) -> None:
        if expert_id in self.rows:
            self.rows[expert_id].update(weekly=list(weekly), off_dates=list(off))
