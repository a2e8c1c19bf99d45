"""The ticketing fragment's app factory (gunicorn: `fragments.ticketing.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from fragments.kit.app import frame, graph_health

from . import VERSION
from .manifest import manifest
from .wiring import Ticketing, build


def create_app(test_config: dict[str, Any] | None = None, *, ticketing: Ticketing | None = None) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder="static", static_url_path="/static")
    if test_config is None:
        from sysops.config import load_settings

        settings = load_settings()
        app.config.update(SECRET_KEY=settings.secret_key, OFFER_TIMEOUT_SECONDS=settings.offer_timeout_seconds)
        if ticketing is None:
            ticketing, graph = _production_services(settings)
            app.extensions["graph_store"] = graph
    else:
        app.config.update(test_config)
    if ticketing is None:
        raise ValueError("a ticketing service set is required")
    app.extensions["ticketing"] = ticketing
    app.jinja_env.globals["app_version"] = VERSION

    frame(app, name="ticketing", version=VERSION, secret=app.config["SECRET_KEY"], manifest=manifest, health=lambda: graph_health(app))
    from .entrypoints import api, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    return app


def _production_services(settings):
    from graph_store.config import open_store

    from .adapters.graph import GraphTicketStore

    graph = open_store(settings, "ticketing")
    return build(GraphTicketStore(graph), graph.bridge,
                 offer_timeout=dt.timedelta(seconds=settings.offer_timeout_seconds)), graph
