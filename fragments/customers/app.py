"""The customers fragment's app factory (gunicorn: `fragments.customers.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import admin, api, billing, views
from .manifest import manifest
from .wiring import CustomersService, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, customers: CustomersService | None = None) -> Flask:
    return fragment_app(__name__, name="customers", version=VERSION, manifest=manifest,
                        blueprints=[views.bp, admin.bp, billing.bp, (api.bp, "/api/v1")], production=on_graph, services=customers,
                        test_config=test_config)
