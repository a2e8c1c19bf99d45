"""The ticketing fragment's app factory (gunicorn: `fragments.ticketing.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound, ServiceUnavailable

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import api, links, views
from .manifest import manifest
from .services.at_risk import at_risk
from .services.ports import CustomersUnavailable, CustomerUnknown
from .wiring import Ticketing, on_graph


def _customer_errors(app: Flask) -> Flask:
    """A customer nobody knows is a 404; one whose record cannot be read now is an explicit 503 that says
    nothing was raised (the raise never waits on the monolith: ADR 0025)."""
    app.register_error_handler(CustomerUnknown, lambda _exc: app.handle_http_exception(
        NotFound("We could not find that customer.")))
    app.register_error_handler(CustomersUnavailable, lambda _exc: app.handle_http_exception(ServiceUnavailable(
        "This customer's plans cannot be checked right now, so nothing was raised. Try again in a moment.")))
    return app


def create_app(test_config: dict[str, Any] | None = None, *, ticketing: Ticketing | None = None) -> Flask:
    return _customer_errors(fragment_app(__name__, name="ticketing", version=VERSION, manifest=manifest,
                        blueprints=[views.bp, links.bp, (api.bp, "/api/v1")], production=on_graph, services=ticketing,
                        test_config=test_config,
                        gauges=lambda t: lambda: at_risk(t.stores.tickets, t.stores.offers, t.management.clock)))
