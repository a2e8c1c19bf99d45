"""The monolith's published JSON API for the new services, under /bridge/v1/.

JSON only (the HTML screens stay in shell_app); every route needs a bearer token
(foundation.tokens); errors are RFC 9457 problem documents; the contract is openapi.py. It stands
above the monolith and uses its models; the monolith does not know it: `mount` is called by the
composition root (sysops.wsgi). Clients use `bridge_client`, which imports nothing of this package.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

from bridge_client import PREFIX
from foundation.problems import Problem, from_problem
from foundation.tokens import TokenVerifier
from shell_app import published_api

from . import auth
from .routes import (
    alerts,
    catalog,
    customer_handover,
    customers,
    experts,
    knowledge,
    legacy_ticket_writes,
    legacy_tickets,
    legacy_work,
    legacy_writeback,
    meta,
    notifications,
    outbox_handover,
    record_writeback,
)


def create_blueprint() -> Blueprint:
    bp = Blueprint("bridge", __name__, url_prefix=PREFIX)
    for module in (alerts, catalog, customer_handover, customers, experts, knowledge, legacy_ticket_writes,
                   legacy_tickets, legacy_work, legacy_writeback, meta, notifications, outbox_handover, record_writeback):
        module.register(bp)
    bp.register_error_handler(Problem, from_problem)
    return bp


def mount(app: Flask) -> None:
    app.extensions["bridge_token_verifier"] = TokenVerifier.for_audience(Path(app.config["KEYS_DIR"]), auth.AUDIENCE)
    published_api.mount(app, create_blueprint())
