"""Composition root of the monolith's process: the legacy app with its published API mounted.

gunicorn loads `sysops.wsgi:monolith()`. The monolith does not import the bridge; this is the one
place that puts them together (docs/architecture.md).
"""
from __future__ import annotations

from typing import Any

from flask import Flask

import bridge_api
import shell_app


def monolith(test_config: dict[str, Any] | None = None) -> Flask:
    app = shell_app.create_app(test_config)
    bridge_api.mount(app)
    return app
