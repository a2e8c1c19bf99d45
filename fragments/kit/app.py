"""A fragment app's common frame (applied by bootstrap.fragment_app): proxy prefix, manifest, health,
errors, headers, token auth."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, Flask, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.middleware.proxy_fix import ProxyFix

from bridge_client import BridgeError, Unavailable
from foundation import inbound, observability
from foundation.loops import causes
from foundation.observability import Gauges
from foundation.problems import from_http_exception
from graph_store.backends import GraphUnavailable

from . import auth


def _graph_unavailable_behind(exc: BaseException) -> bool:
    """A fragment's adapters raise their port's errors, with the engine's as the cause."""
    return any(isinstance(cause, GraphUnavailable) for cause in causes(exc))


ERROR_HTML = """<section class="fragment-error" role="alert"><h2>{{ title }}</h2><p>{{ message }}</p></section>"""


def frame(app: Flask, *, name: str, version: str, public_keys: Path, manifest: Callable[[], dict[str, Any]],
          health: Callable[[], dict[str, Any]], gauges: Gauges | None = None) -> None:
    # Behind the shell (or nginx) the fragment lives under /fragments/<name>: X-Forwarded-Prefix tells
    # url_for, so every link and form the fragment renders points back through the same origin.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)  # type: ignore[method-assign]
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    observability.install(app, name, public=auth.public, token=app.config.get("METRICS_TOKEN"), gauges=gauges)
    inbound.install(app, https=bool(app.config.get("HTTPS")))
    auth.install(app, name, public_keys)
    meta = Blueprint("meta", __name__)

    @meta.get("/manifest.json")
    @auth.allow(services=("shell",), roles=("admin",))
    def manifest_json():
        return jsonify(manifest())

    @meta.get("/healthz")
    @auth.public
    def healthz():
        """Anonymous on purpose (supervisor, load balancer): status and version only."""
        body = {"app": name, "version": version, **health()}
        return jsonify(body), 200 if body.get("status") == "ok" else 503

    app.register_blueprint(meta)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return from_http_exception(exc)
        code = exc.code or 500
        return render_template_string(ERROR_HTML, title=exc.name, message=exc.description), code

    @app.errorhandler(BridgeError)
    def bridge_error(exc: BridgeError):
        # What the monolith answered, in this app's terms: unknown -> 404, down -> 503.
        status = {404: 404, 403: 403}.get(exc.status or 0, 503 if isinstance(exc, Unavailable) else 502)
        description = {404: "We could not find that record.", 403: "You do not have access to this record."}.get(
            status, "The legacy system is not answering. Try again in a moment.")
        return http_error(_http_exception(status, description))

    @app.errorhandler(GraphUnavailable)
    def graph_unavailable(exc: Exception):
        app.logger.warning("graph unavailable: %s", exc)
        return http_error(_http_exception(503, "The ticket store is not answering. Try again in a moment."))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if _graph_unavailable_behind(exc):  # a port's error whose cause is the graph being away
            return graph_unavailable(exc)
        app.logger.exception("unhandled error")
        if _wants_json():
            return from_http_exception(InternalServerError())
        return render_template_string(ERROR_HTML, title="Something went wrong",
                                      message="The error has been logged. Please try again."), 500

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.method == "GET":
            response.headers.add("Vary", "HX-Request")
            conditional(response)
        return response


def conditional(response) -> None:
    """A fragment's HTML answer carries an ETag (a hash of the body: what this user would see now), may
    be kept by the user's own browser but never by a shared cache, and is revalidated every time: the
    same content again is a 304 with no body. The shell passes the ETag, the conditional request and
    the 304 through (its proxy), and clears the browser's cache when the user signs out."""
    if (response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough
            or "Cache-Control" in response.headers):
        return
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    response.make_conditional(request)


def graph_health(app: Flask) -> dict[str, Any]:
    """Health of an app whose data is in the graph (app.extensions["graph_store"], absent in tests)."""
    graph = app.extensions.get("graph_store")
    if graph is None:
        return {"status": "ok"}
    try:
        graph.backend.ping()
        return {"status": "ok", "graph": "ok"}
    except Exception:  # any driver error: not ready
        app.logger.exception("health check: graph unreachable")
        return {"status": "degraded", "graph": "unavailable"}


def _http_exception(status: int, description: str) -> HTTPException:
    return default_exceptions[status](description=description)


def _wants_json() -> bool:
    return "/api/" in request.path or request.path.endswith(".json") or (
        request.accept_mimetypes.best == "application/json")
