from __future__ import annotations

from flask import Blueprint, jsonify

from ..access import public
from ..version import VERSION

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """Anonymous on purpose (load balancers and the supervisor probe it): the composition shell has no
    store of its own to be ready for; a service it cannot reach is that page's fallback, not its health."""
    return jsonify(status="ok", app="shell", version=VERSION)
