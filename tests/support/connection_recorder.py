"""Two small apps served by gunicorn (whose threads keep connections alive, as in production) that note
the client port of each request: which connection it came on. `/connections` lists them."""
from __future__ import annotations

from flask import Flask, Response, request


def _recording(name: str) -> Flask:
    app = Flask(name)
    seen: list[list] = []

    @app.before_request
    def note() -> None:
        if request.path != "/connections":
            seen.append([request.path, int(request.environ["REMOTE_PORT"])])

    @app.get("/connections")
    def connections():
        return {"seen": seen}

    @app.get("/healthz")
    def health():
        return {"status": "ok"}
    return app


def shell() -> Flask:
    """Answers nginx's auth subrequest as the shell does: 204 with the user token in a header."""
    app = _recording("shell")

    @app.get("/fragments-auth/<name>")
    def auth(name: str):
        return Response(status=204, headers={"X-Fragment-Token": f"token-for-{name}", "X-Shell-CSRF": "csrf"})
    return app


def fragment() -> Flask:
    app = _recording("fragment")

    @app.get("/customers/<int:customer_id>/tickets")
    def tickets(customer_id: int):
        return f"tickets of {customer_id} for {request.headers.get('Authorization')}"
    return app
