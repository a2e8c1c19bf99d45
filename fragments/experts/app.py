"""The experts fragment's app factory (gunicorn: `fragments.experts.app:create_app()`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from fragments.kit.bootstrap import fragment_app

from . import VERSION
from .entrypoints import views
from .manifest import manifest
from .wiring import build, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, ticketing=None, bridge=None, profiles=None,
               directory=None, clock=dt.datetime.now, knowledge=None, roster=None) -> Flask:
    """Tests pass ticketing (a TicketingHttp, or a double with `acting_as`), bridge, profiles and the
    customers directory, and may pass knowledge (else the monolith's KB search through the bridge) and
    the admins' roster."""
    services = (build(ticketing, bridge, profiles, directory, clock, knowledge, roster=roster)
                if test_config is not None else None)
    return fragment_app(__name__, name="experts", version=VERSION, manifest=manifest, blueprints=[views.bp],
                        production=on_graph, services=services, test_config=test_config)
