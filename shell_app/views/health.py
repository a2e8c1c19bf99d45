from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..access import public
from ..version import VERSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """Anonymous on purpose (load balancers and the supervisor probe it); reveals only status and version."""
    try:
        with current_app.extensions["db_engine"].connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any driver error means "not ready"
        current_app.logger.exception("health check: database unreachable")
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", app="shell_app", version=VERSION,
                   database=database), status
