"""The identity service's app factory (gunicorn: `fragments.identity.app:create_app()`)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from foundation import exchange
from fragments.kit.auth import public
from fragments.kit.bootstrap import fragment_app, services

from . import VERSION
from .entrypoints import admin, pages, tokens
from .manifest import manifest
from .wiring import IdentityService, on_graph


def create_app(test_config: dict[str, Any] | None = None, *, identity: IdentityService | None = None) -> Flask:
    app = fragment_app(__name__, name="identity", version=VERSION, manifest=manifest,
                       blueprints=[pages.bp, tokens.bp, admin.bp,
                                   exchange.blueprint(lambda: services(IdentityService).exchange)],
                       production=on_graph, services=identity, test_config=test_config)
    # The exchange authenticates by the caller's own token in its body (RFC 8693), not by a bearer header.
    public(app.view_functions["token_exchange.exchange_token"])
    return app
