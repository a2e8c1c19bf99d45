"""Flask's test client as a WSGI server uses an app: the response is read whole and closed, so what
the app registered to run after the answer (fragments/kit/after_response.py) has run when the call
returns; `served(app)` also makes that work run at once instead of on background threads, so a
test sees its effect deterministically, and has the ticketing fragment follow up its own raises (in
production the ticketing worker does)."""
from __future__ import annotations

from concurrent.futures import Future

from flask import Flask
from flask.testing import FlaskClient


class ServedClient(FlaskClient):
    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


class AtOnce:
    """An executor that runs what it is given in the caller's thread."""

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def served(app: Flask) -> Flask:
    app.test_client_class = ServedClient
    app.extensions["after_response"] = AtOnce()
    app.config["FOLLOW_UP_IN_PROCESS"] = True  # no worker beside a test app: the raise follows itself up
    return app
