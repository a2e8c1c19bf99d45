"""What answers at the bridge's address once the monolith is decommissioned (ADR 0039): every bridge
route `410 Gone` with a problem body and the successor's link (the route's owner's API at the front
door), so a reader nobody moved learns where its data went instead of timing out. It holds nothing and
reads no database: `sysops run` starts it in the bridge's place (gunicorn `bridge_api.gone:create_gone()`).
"""
from __future__ import annotations

import os

from flask import Flask, jsonify

from bridge_client import PREFIX

# A bridge route's first segment -> the API that succeeded it (same-origin paths at the front door).
SUCCESSORS = {
    "legacy-tickets": "/fragments/ticketing/api/v1/tickets",
    "tickets": "/fragments/ticketing/api/v1/tickets",
    "customers": "/fragments/customers/api/v1/customers",
    "coverage": "/fragments/customers/api/v1/customers",
    "contracts": "/fragments/customers/api/v1/customers",
    "products": "/fragments/customers/api/v1/catalogue/products",
    "plans": "/fragments/customers/api/v1/catalogue/products",
    "locales": "/fragments/customers/api/v1/catalogue/products",
    "handover": "/fragments/customers/api/v1/customers",
    "kb": "/fragments/knowledge/api/v1/articles",
    "notifications": "/fragments/notifications/api/v1/messages",
    "outbox": "/fragments/notifications/api/v1/messages",
    "alerts": "/fragments/notifications/api/v1/staff-alerts",
    "experts": "/fragments/experts/",
}
FRONT_DOOR = "/"


def successor(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return SUCCESSORS.get(first, FRONT_DOOR)


def create_gone(decommissioned_at: str | None = None) -> Flask:
    app = Flask(__name__)
    when = decommissioned_at or os.environ.get("SYSOPS_DECOMMISSIONED_AT", "")

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", decommissioned_at=when or None)

    @app.route(f"{PREFIX}/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route(f"{PREFIX}/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def gone(path: str):
        target = successor(path)
        body = jsonify(type="https://sysops.example/problems/monolith-decommissioned", title="Gone", status=410,
                       detail=f"the monolith was decommissioned{' on ' + when if when else ''}; its data is archived "
                              f"and served by its successor at {target}", successor=target)
        body.status_code = 410
        body.headers["Link"] = f'<{target}>; rel="successor-version"'
        body.headers["Content-Type"] = "application/problem+json"
        return body

    @app.errorhandler(404)
    def elsewhere(_exc):
        body = jsonify(type="https://sysops.example/problems/monolith-decommissioned", title="Gone", status=410,
                       detail="the monolith was decommissioned: its screens are at the front door", successor=FRONT_DOOR)
        body.status_code = 410
        body.headers["Link"] = f'<{FRONT_DOOR}>; rel="successor-version"'
        return body

    return app
