"""The ticketing fragment's app factory (gunicorn: `fragments.ticketing.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import api, links, views
from .manifest import manifest
from .services.at_risk import at_risk
from .wiring import Ticketing, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, ticketing: Ticketing | None = None) -> Flask:
    return fragment_app(__name__, name="ticketing", version=VERSION, manifest=manifest,
                        blueprints=[views.bp, links.bp, (api.bp, "/api/v1")], production=on_graph, services=ticketing,
                        test_config=test_config,
                        gauges=lambda t: lambda: at_risk(t.stores.tickets, t.stores.offers, t.management.clock))
