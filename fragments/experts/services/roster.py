"""Admins take on experts and let them go (ADR 0005, 0026): the profile is the experts service's own
from the first minute (contact details, skills, locales, working half-days), in force for assignment
at once; the monolith's experts table is written back for its screens and a rollback. A deactivated
expert gets no new offer; the work they hold stays theirs until staff move it."""
from __future__ import annotations

import logging
from typing import Any

from ..domain import profile as rules
from ..domain.roster import InvalidExpert, contact_from_form
from .ports import BridgeClient, Clock, Directory, RosterStore

log = logging.getLogger(__name__)
DEFAULT_LEVEL = 3


class Roster:
    def __init__(self, store: RosterStore, catalogue: Directory, legacy: BridgeClient, clock: Clock):
        self.store, self.catalogue, self.legacy, self.clock = store, catalogue, legacy, clock

    def view(self) -> dict[str, Any]:
        return {"experts": self.store.everyone(),
                "products": sorted(self.catalogue.products(), key=lambda p: p["name"]),
                "locales": sorted(self.catalogue.locales(), key=lambda l: l["name"])}

    def take_on(self, values: dict[str, Any], skills: list[str], locales: list[str], weekly: list[str]) -> dict[str, Any]:
        """A new expert, active now (InvalidExpert naming every field that is wrong; nothing stored)."""
        errors: dict[str, str] = {}
        contact: dict[str, str] = {}
        try:
            contact = contact_from_form(values)
        except InvalidExpert as exc:
            errors.update(exc.errors)
        chosen: dict[str, list[Any]] = {}
        for field, raw, allowed in (("skills", skills, {p["id"] for p in self.catalogue.products()}),
                                    ("locales", locales, {l["id"] for l in self.catalogue.locales()})):
            try:
                chosen[field] = rules.ids(raw, allowed, field)
                if not chosen[field]:
                    errors[field] = f"pick one {field[:-1]} at least"
            except rules.ProfileError as exc:
                errors[field] = str(exc)
        try:
            chosen["weekly"] = rules.weekly(weekly)
            if not chosen["weekly"]:
                errors["weekly"] = "pick the half-days they work"
        except rules.ProfileError as exc:
            errors["weekly"] = str(exc)
        if errors:
            raise InvalidExpert(errors)
        expert = self.store.create(contact, [{"product_id": p, "level": DEFAULT_LEVEL} for p in chosen["skills"]],
                                   chosen["locales"], chosen["weekly"], hired_on=self.clock().date().isoformat())
        self._write_back(expert)
        return expert

    def set_active(self, expert_id: int, active: bool) -> dict[str, Any]:
        expert = self.store.set_active(expert_id, active)
        self._write_back(expert)
        return expert

    def write_back_pending(self) -> int:
        return sum(self._write_back(expert) for expert in self.store.everyone() if expert.get("legacy_behind"))

    def _write_back(self, expert: dict[str, Any]) -> int:
        record = {name: expert.get(name) for name in ("employee_number", "first_name", "last_name", "email", "phone",
                                                      "hired_on", "active")}
        try:
            self.legacy.write_back_expert(expert["id"], record)
        except Exception as exc:  # the monolith's trouble must not undo the change: it is retried
            log.warning("expert %s not written back yet: %s", expert["id"], exc)
            return 0
        self.store.written_back(expert["id"])
        return 1
