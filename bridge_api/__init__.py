"""Versioned JSON API inside the monolith for the new services, mounted under /bridge/v1/.

JSON only (the HTML screens stay in shell_app); every route needs a bearer token
(sysops.tokens); errors are RFC 9457 problem documents; the contract is openapi.py.
"""
from __future__ import annotations

from flask import Blueprint, Flask

PREFIX = "/bridge/v1"


def create_blueprint() -> Blueprint:
    from .problems import Problem, from_problem
    from .routes import alerts, catalog, customers, experts, knowledge, legacy_tickets, meta, notifications

    bp = Blueprint("bridge", __name__, url_prefix=PREFIX)
    for module in (alerts, catalog, customers, experts, knowledge, legacy_tickets, meta, notifications):
        module.register(bp)
    bp.register_error_handler(Problem, from_problem)
    return bp


def register(app: Flask) -> None:
    app.register_blueprint(create_blueprint())
