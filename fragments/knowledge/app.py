"""The knowledge fragment's app factory (gunicorn: `fragments.knowledge.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import api, views
from .manifest import manifest
from .wiring import build, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, articles=None, catalogue=None, legacy=None,
               clock=dt.datetime.now) -> Flask:
    services = build(articles, catalogue, legacy, clock) if test_config is not None else None
    return fragment_app(__name__, name="knowledge", version=VERSION, manifest=manifest,
                        blueprints=[views.bp, (api.bp, "/api/v1")], production=on_graph, services=services,
                        test_config=test_config)
