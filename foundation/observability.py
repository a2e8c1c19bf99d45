"""What operators watch: Prometheus metrics per service (requests per route, and business gauges that
say a ticket is at risk), and the request id (foundation.request_ids) of every request.

- Request ids: an incoming `X-Request-ID` that looks like one is kept, otherwise one is made; it is
  answered in the response header and forwarded by our HTTP clients.
- Metrics: `sysops_http_requests_total` and `sysops_http_request_duration_seconds` by service, route
  (the URL rule, never the raw path), method and status; gauges from each service's own collector at
  scrape time. Under gunicorn several workers answer: with PROMETHEUS_MULTIPROC_DIR set (the launcher
  sets one per process) the scrape sums them (prometheus_client's multiprocess mode).
- `/metrics` answers only a bearer token equal to SYSOPS_METRICS_TOKEN (compared in constant time);
  with none configured every scrape is refused (401): nothing is exposed by default.
"""
from __future__ import annotations

import hmac
import logging
import os
import time
from typing import Callable, Iterable

from flask import Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from .request_ids import HEADER, begin, current, end

log = logging.getLogger(__name__)

REQUESTS = Counter("sysops_http_requests_total", "HTTP requests answered", ["service", "route", "method", "status"])
LATENCY = Histogram("sysops_http_request_duration_seconds", "Time to answer an HTTP request",
                    ["service", "route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

Gauges = Callable[[], Iterable[tuple[str, str, float]]]  # (name, help, value) at scrape time


class _Gauges:
    def __init__(self, service: str, gauges: Gauges):
        self.service, self.gauges = service, gauges

    def collect(self):
        try:
            values = list(self.gauges())
        except Exception as exc:  # noqa: BLE001 - a store that is down must not break the scrape
            log.warning("business gauges of %s unavailable: %s", self.service, exc)
            values = []
        for name, description, value in values:
            family = GaugeMetricFamily(name, description, labels=["service"])
            family.add_metric([self.service], value)
            yield family


def _registry(service: str, gauges: Gauges | None) -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    if gauges is not None:
        registry.register(_Gauges(service, gauges))
    return registry


def install(app: Flask, service: str, *, public: Callable[[Callable], Callable], token: str | None,
            gauges: Gauges | None = None) -> None:
    """Request ids and metrics for `app`; `public` marks the metrics view as needing no user (its own
    bearer token is checked here)."""

    @app.before_request
    def start():
        g.request_started = time.perf_counter()
        begin(request.headers.get(HEADER))

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers[HEADER] = current() or ""
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        if rule != "/metrics":
            REQUESTS.labels(service, rule, request.method, str(response.status_code)).inc()
            started = g.get("request_started")
            if started is not None:
                # once the body is sent: a page sent in parts (shell_app/composition/inline.py) ends later
                timer = LATENCY.labels(service, rule, request.method)
                response.call_on_close(lambda: timer.observe(time.perf_counter() - started))
        return response

    @app.teardown_request
    def forget(_exc):
        end()

    def metrics():
        sent = request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            abort(401, description="metrics need the installation's metrics token")  # none configured: never
        return Response(generate_latest(_registry(service, gauges)), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", public(metrics))
