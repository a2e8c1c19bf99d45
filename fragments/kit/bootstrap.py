"""The one way to build a fragment app: every fragment's factory is a call to `fragment_app`.

It gives each fragment the same frame (token auth, CSRF, manifest, health, errors, headers),
templates that fail loudly on a missing variable, and its service set: passed in by tests (fakes),
or built by the fragment's `production` wiring over the installation's graph store and bridge.
Views reach the service set through `services(TheirType)`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from flask import Blueprint, Flask, current_app
from jinja2 import StrictUndefined

from foundation import keys, times
from foundation.config import Settings, load_settings
from foundation.observability import Gauges
from graph_store import GraphConnection
from graph_store.config import open_store

from .app import frame, graph_health

SERVICES = "fragment_services"
T = TypeVar("T")


def _public_keys(config) -> Path:
    """The public key file: PUBLIC_KEYS, or the one in KEYS_DIR (tests hand over a whole key set)."""
    return Path(config["PUBLIC_KEYS"]) if config.get("PUBLIC_KEYS") else keys.public_file(Path(config["KEYS_DIR"]))


def fragment_app(import_name: str, *, name: str, version: str, manifest: Callable[[], dict[str, Any]],
                 blueprints: Iterable[Blueprint | tuple[Blueprint, str]],
                 production: Callable[[GraphConnection, Settings], Any], services: Any = None,
                 test_config: dict[str, Any] | None = None, gauges: Callable[[Any], Gauges] | None = None) -> Flask:
    """test_config None: the installation's settings, a graph store acting as service `name`, and
    `production(graph, settings)` unless `services` is given; else the test's config and services."""
    app = Flask(import_name, template_folder="templates", static_folder="static", static_url_path="/static")
    # Pages name the fragment's assets with its version (`?v=`, shell_app/composition/registry.py), so
    # browsers may keep them: no request for them on the next page; a new version is a new URL.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters.update(times.FILTERS)  # one date and time format on every screen
    if test_config is None:
        settings = load_settings()
        # Public keys to verify with; it signs (bridge calls) only with its own key (ADR 0003). It never
        # writes keys: the operator's `sysops keys init` (or `sysops run`) makes them.
        app.config.update(PUBLIC_KEYS=settings.public_keys, HTTPS=settings.https, METRICS_TOKEN=settings.metrics_token)
        graph = app.extensions["graph_store"] = open_store(settings, name)
        services = services if services is not None else production(graph, settings)
    else:
        app.config.update(test_config)
    if services is None:
        raise ValueError(f"the {name} fragment needs its service set")
    app.extensions[SERVICES] = services
    app.jinja_env.globals["app_version"] = version
    frame(app, name=name, version=version, public_keys=_public_keys(app.config), manifest=manifest,
          health=lambda: graph_health(app), gauges=gauges(services) if gauges is not None else None)
    for entry in blueprints:
        blueprint, prefix = entry if isinstance(entry, tuple) else (entry, None)
        app.register_blueprint(blueprint, url_prefix=prefix)
    return app


def services(kind: type[T]) -> T:
    """The service set of the fragment serving this request, as the type the fragment's wiring builds:
    a view gets its own fragment's use cases, typed, or a TypeError at once if the app was built with
    something else."""
    found = current_app.extensions[SERVICES]
    if not isinstance(found, kind):
        raise TypeError(f"this app's services are a {type(found).__name__}, not a {kind.__name__}")
    return found
