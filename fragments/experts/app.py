"""The experts fragment's app factory (gunicorn: `fragments.experts.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from foundation.tokens import TokenSigner
from fragments.kit.app import frame, graph_health, production_graph

from . import VERSION
from .adapters.ticketing_http import TicketingHttp
from .entrypoints import views
from .manifest import manifest


def create_app(test_config: dict[str, Any] | None = None, *, ticketing=None, bridge=None, profiles=None,
               clock=dt.datetime.now) -> Flask:
    """ticketing: a TicketingHttp (or a fake with `acting_as`); bridge: a BridgeClient; profiles: the
    expert profile store (graph_store's ExpertStore)."""
    app = Flask(__name__, template_folder="templates", static_folder="static", static_url_path="/static")
    if test_config is None:
        settings, graph = production_graph(app, "experts")
        ticketing = ticketing or TicketingHttp(settings.ticketing_url, TokenSigner(settings.secret_key))
        bridge, profiles = bridge or graph.bridge, profiles or graph.experts
    else:
        app.config.update(test_config)
    app.extensions["experts"] = {"ticketing": ticketing, "bridge": bridge, "profiles": profiles, "clock": clock}

    frame(app, name="experts", version=VERSION, secret=app.config["SECRET_KEY"], manifest=manifest, health=lambda: graph_health(app))
    app.jinja_env.globals["app_version"] = VERSION
    app.register_blueprint(views.bp)
    return app
