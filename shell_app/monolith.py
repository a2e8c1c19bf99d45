"""The legacy Sysops Squad monolith: its screens, its login, its relational database."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g

from foundation import inbound, keys, observability
from foundation.config import REPO_ROOT, load_settings
from foundation.login_throttle import LoginThrottle
from foundation.tokens import KeptTokens, TokenSigner

from . import access, errors, front_door, security
from .at_risk import at_risk
from .composition.registry import build_registry
from .db import make_engine, make_session_factory
from .front import layout
from .login_sessions import Lifetimes
from .part_owners import ACCOUNTS, owner_of
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
    observability.install(app, "shell", public=access.public, token=app.config.get("METRICS_TOKEN"),
                          gauges=lambda: at_risk(engine))
    inbound.install(app)
    app.extensions["login_throttle"] = LoginThrottle(app.config.get("LIMITS_STORAGE", "memory://"))
    app.extensions["session_lifetimes"] = Lifetimes.from_config(app.config)
    app.extensions["token_signer"] = TokenSigner.for_service(Path(app.config["KEYS_DIR"]), "shell")
    app.extensions["user_tokens"] = KeptTokens(app.extensions["token_signer"])  # a fragment's, kept half its life
    app.extensions["fragments"] = build_registry(app.config, app.extensions["token_signer"])
    # Who signs people in: this monolith, or the identity service (ADR 0032).
    front_door.install(app, lambda: owner_of(g.db, ACCOUNTS))
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
    app.before_request(access.enforce_access)
    app.before_request(access.enforce_csrf)

    layout.install(app)
    register_blueprints(app)
    errors.register(app)
    return app
