"""The ticketing fragment's app factory (gunicorn: `fragments.ticketing.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from fragments.kit.app import frame, graph_health, production_graph

from . import VERSION
from .entrypoints import api, views
from .manifest import manifest
from .wiring import Ticketing, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, ticketing: Ticketing | None = None) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder="static", static_url_path="/static")
    if test_config is None:
        settings, graph = production_graph(app, "ticketing")
        ticketing = ticketing or on_graph(graph, settings)
    else:
        app.config.update(test_config)
    if ticketing is None:
        raise ValueError("a ticketing service set is required")
    app.extensions["ticketing"] = ticketing
    app.jinja_env.globals["app_version"] = VERSION

    frame(app, name="ticketing", version=VERSION, secret=app.config["SECRET_KEY"], manifest=manifest, health=lambda: graph_health(app))
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    return app

