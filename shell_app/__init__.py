"""The legacy Sysops Squad monolith: its screens, its login, its relational database."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, url_for
from jinja2 import StrictUndefined

from foundation import inbound, keys, observability, times
from foundation.config import REPO_ROOT, load_settings
from foundation.login_throttle import LoginThrottle
from foundation.tokens import KeptTokens, TokenSigner

from . import errors, front_door, security
from .assets import HTMX_FILE, versioned
from .at_risk import at_risk
from .composition import inline
from .composition.registry import build_registry
from .composition.slots import GENERIC_FALLBACK, UNREACHABLE, fallback_headers, fragment_assets, fragment_url
from .db import make_engine, make_session_factory
from .login_sessions import Lifetimes
from .routing import IdConverter
from .version import VERSION
from .views import register_blueprints


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        static_url_path="/static",
    )
    if test_config is None:
        settings = load_settings()
        keys.ensure_key(settings.keys_dir, "shell")
        # The session key exists only here: no other process is given it (ADR 0003).
        app.config.update(SECRET_KEY=keys.session_key(settings.keys_dir), KEYS_DIR=settings.keys_dir,
                          DATABASE_URL=settings.database_url, SMS_LOG=str(settings.data_dir / "outbox" / "sms.log"),
                          FRAGMENTS=settings.fragments, SESSION_COOKIE_SECURE=settings.https,
                          LIMITS_STORAGE=settings.limits_storage, SESSION_IDLE_MINUTES=settings.session_idle_minutes,
                          SESSION_MAX_HOURS=settings.session_max_hours, METRICS_TOKEN=settings.metrics_token,
                          FIRST_PAINT_BUDGET_MS=settings.first_paint_budget_ms,
                          NOTIFICATIONS_URL=settings.notifications_url)
    else:
        app.config.update(test_config)
    engine = make_engine(app.config["DATABASE_URL"])
    observability.install(app, "shell", public=security.public, token=app.config.get("METRICS_TOKEN"),
                          gauges=lambda: at_risk(engine))
    inbound.install(app)
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters.update(times.FILTERS)  # one date and time format on every screen
    app.url_map.converters["int"] = IdConverter

    app.extensions["login_throttle"] = LoginThrottle(app.config.get("LIMITS_STORAGE", "memory://"))
    app.extensions["session_lifetimes"] = Lifetimes.from_config(app.config)
    app.extensions["token_signer"] = TokenSigner.for_service(Path(app.config["KEYS_DIR"]), "shell")
    app.extensions["user_tokens"] = KeptTokens(app.extensions["token_signer"])  # a fragment's, kept half its life
    app.extensions["fragments"] = build_registry(app.config, app.extensions["token_signer"])
    front_door.install(app)  # who signs people in: this monolith, or the identity service (ADR 0032)
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_session_factory(engine)

    @app.before_request
    def open_db_session() -> None:
        g.db = app.extensions["db_sessions"]()

    @app.teardown_request
    def close_db_session(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    app.before_request(security.load_current_user)
    app.before_request(security.enforce_access)
    app.before_request(security.enforce_csrf)

    # The shell's CSS and htmx are named with a hash of their content in pages (asset_url): browsers
    # keep them, so a page load asks for no asset at all.
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600

    def asset_url(filename: str) -> str:
        return url_for("static", filename=filename, v=versioned(app.static_folder, filename))

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"current_user": g.get("user"), "csrf_token": security.csrf_token, "htmx_file": HTMX_FILE,
                "app_version": VERSION, "asset_url": asset_url}

    # Globals, not context: imported macros (fragment_slot) see globals only.
    app.jinja_env.globals.update(fragment_url=fragment_url, fragment_assets=fragment_assets,
                                 fragment_unreachable=UNREACHABLE, generic_fallback=GENERIC_FALLBACK,
                                 fallback_headers=fallback_headers, inline_slot=inline.start)
    app.after_request(inline.fill)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
        )
        return response

    register_blueprints(app)
    errors.register(app)
    return app
