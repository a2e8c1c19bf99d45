"""The monolith's screens, one blueprint per area."""
from __future__ import annotations

from flask import Flask

from ..front import links, proxy
from . import (
    accounts,
    auth,
    customers,
    experts,
    health,
    home,
    knowledge,
    outbox,
    tickets,
)


def register_blueprints(app: Flask) -> None:
    for module in (accounts, auth, customers, experts, proxy, health, home, knowledge, links, outbox, tickets):
        app.register_blueprint(module.bp)
