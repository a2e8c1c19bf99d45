"""Composition root of the monolith's process: the legacy app with its published API mounted.

gunicorn loads `sysops.wsgi:monolith()`. The monolith does not import the bridge; this is the one
place that puts them together (docs/architecture.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

import bridge_api
import shell_app
from foundation import exchange
from foundation.keys import public_file
from shell_app import published_api


def monolith(test_config: dict[str, Any] | None = None) -> Flask:
    app = shell_app.create_app(test_config)
    bridge_api.mount(app)
    mount_token_exchange(app)
    return app


def mount_token_exchange(app: Flask) -> None:
    """The monolith issues user tokens today, so it answers their exchange (ADR 0031); the identity
    service takes both over (issue 28)."""
    issuer = exchange.Exchange.over_keys(app.extensions["token_signer"], public_file(Path(app.config["KEYS_DIR"])))
    published_api.mount(app, exchange.blueprint(lambda: issuer))

