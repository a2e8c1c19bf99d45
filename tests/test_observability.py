"""Request metrics: a request is timed until its body is sent, also a page sent in parts."""
from __future__ import annotations

import threading

from flask import Flask, Response
from prometheus_client import REGISTRY

from foundation import observability


def _count(service: str) -> float:
    return REGISTRY.get_sample_value("sysops_http_request_duration_seconds_count",
                                     {"service": service, "route": "/page", "method": "GET"}) or 0.0


def test_a_page_sent_in_parts_is_timed_once_its_last_part_is_sent():
    app = Flask("timed")
    observability.install(app, "timed-test", public=lambda view: view, token=None)
    rest = threading.Event()

    @app.get("/page")
    def page():
        def parts():
            yield b"<head>"
            rest.wait(5)
            yield b"<body>"
        return Response(parts())

    response = app.test_client().get("/page", buffered=False)
    chunks = iter(response.response)
    assert next(chunks) == b"<head>" and _count("timed-test") == 0  # the head is out, the page is not done
    rest.set()
    assert b"".join(chunks) == b"<body>"
    response.close()
    assert _count("timed-test") == 1
