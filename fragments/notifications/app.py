"""The notifications fragment's app factory (gunicorn: `fragments.notifications.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import api, receipts, views
from .manifest import manifest
from .wiring import Notifications, on_graph


def _gauges(notifications: Notifications):
    def read() -> list[tuple[str, str, float]]:
        counts = notifications.outboxes.counts()
        return [("sysops_messages_queued", "Messages waiting to be sent", counts.get("queued", 0)),
                ("sysops_messages_dead", "Messages that failed every attempt (the dead-letter list)",
                 counts.get("failed", 0))]
    return read


def create_app(test_config: dict[str, Any] | None = None, *, notifications: Notifications | None = None) -> Flask:
    return fragment_app(__name__, name="notifications", version=VERSION, manifest=manifest,
                        blueprints=[views.bp, receipts.bp, (api.bp, "/api/v1")], production=on_graph, services=notifications,
                        test_config=test_config, gauges=_gauges)
