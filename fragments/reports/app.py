"""The reports fragment's app factory (gunicorn: `fragments.reports.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import views
from .manifest import manifest
from .wiring import build, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, source=None, catalogue=None, terms=None,
               clock=dt.datetime.now, kept=None) -> Flask:
    services = build(source, catalogue, terms, clock, kept) if test_config is not None else None
    return fragment_app(__name__, name="reports", version=VERSION, manifest=manifest, blueprints=[views.bp],
                        production=on_graph, services=services, test_config=test_config)
