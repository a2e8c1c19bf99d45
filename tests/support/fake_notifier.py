"""The notifications service as ticketing sees it (its Notifier port), in memory: what it was handed,
once per key, and a switch to make it not answer."""
from __future__ import annotations

import itertools

from fragments.ticketing.services.ports import NotificationsUnavailable


class FakeNotifier:
    def __init__(self):
        self.messages: dict[str, dict] = {}  # by key, in the order handed over
        self.batches: list[int] = []
        self.unavailable = False
        self.planned = "email"
        self.refuse: set[tuple[str, int]] = set()  # recipients whose messages it refuses (422)
        self.alerts: list[dict] = []  # staff alerts it keeps, in order
        self._ids = itertools.count(1)

    def send(self, messages: list[dict]) -> list[dict]:
        if self.unavailable:
            raise NotificationsUnavailable("fake notifications service switched off")
        self.batches.append(len(messages))
        outcomes = []
        for m in messages:
            if (m["recipient"]["kind"], m["recipient"]["id"]) in self.refuse:
                outcomes.append({"status": 422, "problem": {"detail": "refused"}})
                continue
            earlier = self.messages.get(m["key"])
            if earlier is not None and (earlier["subject"], earlier["body"]) != (m["subject"], m["body"]):
                outcomes.append({"status": 409, "problem": {"detail": "key reused"}})
                continue
            if earlier is None:
                earlier = self.messages[m["key"]] = {**m, "id": str(next(self._ids)), "planned_channel": self.planned}
                outcomes.append({"status": 202, "message": earlier})
            else:
                outcomes.append({"status": 200, "message": earlier})
        return outcomes

    def raise_alerts(self, alerts: list[dict]) -> None:
        if self.unavailable:
            raise NotificationsUnavailable("fake notifications service switched off")
        self.alerts.extend({**a, "id": len(self.alerts) + i + 1} for i, a in enumerate(alerts))

    def to(self, kind: str, person_id: int) -> list[dict]:
        return [m for m in self.messages.values() if m["recipient"] == {"kind": kind, "id": person_id}]
