"""The expert's own profile, kept in the graph (its one master, ADR 0005): a change is what the next
candidate search reads, so it takes effect in assignment immediately."""
from __future__ import annotations

from typing import Any

from ..domain import profile as rules
from .ports import Clock, Directory, ProfileStore


class ExpertProfile:
    def __init__(self, store: ProfileStore, catalogue: Directory, clock: Clock):
        self.store = store
        self.catalogue = catalogue
        self.clock = clock

    def view(self, expert_id: int) -> dict[str, Any]:
        expert = self.store.get(expert_id) or {"skills": [], "locale_ids": [], "weekly": [], "off_dates": []}
        today = self.clock().date().isoformat()
        return {"expert": expert, "products": sorted(self.catalogue.products(), key=lambda p: p["name"]),
                "locales": sorted(self.catalogue.locales(), key=lambda l: l["name"]),
                "skill_ids": {s["product_id"] for s in expert.get("skills", [])},
                "upcoming_off": sorted(d for d in expert.get("off_dates") or [] if d >= today)}

    def set_skills(self, expert_id: int, values: list[str]) -> None:
        allowed = {p["id"] for p in self.catalogue.products()}
        chosen = rules.ids(values, allowed, "skills")
        levels = {s["product_id"]: s.get("level") or 3 for s in (self.store.get(expert_id) or {}).get("skills", [])}
        self.store.set_skills(expert_id, [{"product_id": p, "level": levels.get(p, 3)} for p in chosen])

    def set_locales(self, expert_id: int, values: list[str]) -> None:
        chosen = rules.ids(values, {l["id"] for l in self.catalogue.locales()}, "locales")
        if not chosen:
            raise rules.ProfileError("locales", "serve at least one locale")
        self.store.set_locales(expert_id, chosen)

    def set_weekly(self, expert_id: int, values: list[str]) -> None:
        expert = self.store.get(expert_id) or {}
        self.store.set_availability(expert_id, rules.weekly(values), list(expert.get("off_dates") or []))

    def add_time_off(self, expert_id: int, start: str, end: str) -> None:
        expert = self.store.get(expert_id) or {}
        days = rules.days_off(start, end, self.clock().date())
        off = sorted(set(expert.get("off_dates") or []) | set(days))
        self.store.set_availability(expert_id, list(expert.get("weekly") or []), off)

    def remove_time_off(self, expert_id: int, day: str) -> None:
        expert = self.store.get(expert_id) or {}
        off = [d for d in expert.get("off_dates") or [] if d != day]
        self.store.set_availability(expert_id, list(expert.get("weekly") or []), off)
