"""The reports fragment's app factory (gunicorn: `fragments.reports.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from fragments.kit.app import frame, graph_health, production_graph

from . import VERSION
from .adapters import GraphReportSource
from .entrypoints import views
from .manifest import manifest


def create_app(test_config: dict[str, Any] | None = None, *, source=None, bridge=None,
               clock=dt.datetime.now) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder="static", static_url_path="/static")
    if test_config is None:
        _, graph = production_graph(app, "reports")
        source, bridge = source or GraphReportSource(graph), bridge or graph.bridge
    else:
        app.config.update(test_config)
    app.extensions["reports"] = {"source": source, "bridge": bridge, "clock": clock}
    frame(app, name="reports", version=VERSION, secret=app.config["SECRET_KEY"], manifest=manifest,
          health=lambda: graph_health(app))
    app.jinja_env.globals["app_version"] = VERSION
    app.register_blueprint(views.bp)
    return app
