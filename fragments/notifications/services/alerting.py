"""Staff alerts: raised by our services, kept here, listed for staff (docs/adr/0036: they left the
monolith's outbox with it)."""
from __future__ import annotations

from typing import Any

from ..domain.alerts import InvalidAlert, StaffAlert, alert_from
from .ports import Clock, StaffAlerts

MAX_BATCH = 100
SHOWN = 50


class Alerting:
    def __init__(self, alerts: StaffAlerts, clock: Clock):
        self.alerts, self.clock = alerts, clock

    def raise_many(self, items: Any, raised_by: str) -> list[StaffAlert]:
        """All stored, in order, or none when any is invalid (InvalidAlert naming `items[i].field`)."""
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
            raise InvalidAlert({"items": f"1 to {MAX_BATCH} alerts"})
        now, parsed, errors = self.clock(), [], {}
        for i, item in enumerate(items):
            try:
                parsed.append(alert_from(item, raised_by, now))
            except InvalidAlert as exc:
                errors.update({f"items[{i}].{name}": text for name, text in exc.errors.items()})
        if errors:
            raise InvalidAlert(errors)
        return self.alerts.add(parsed)

    def recent(self, limit: int = SHOWN) -> list[StaffAlert]:
        return self.alerts.recent(limit)
