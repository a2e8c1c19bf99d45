"""The legacy Sysops Squad monolith: its screens, its login, its relational database."""
from __future__ import annotations

from typing import Any

from flask import Flask, g
from jinja2 import StrictUndefined

from foundation.config import REPO_ROOT, load_settings
from foundation.tokens import TokenSigner

from . import errors, security
from .assets import HTMX_FILE
from .composition.registry import build_registry
from .composition.slots import fragment_assets, fragment_url
from .db import make_engine, make_session_factory
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
        app.config.update(SECRET_KEY=settings.secret_key, DATABASE_URL=settings.database_url,
                          SMS_LOG=str(settings.data_dir / "outbox" / "sms.log"), FRAGMENTS=settings.fragments)
    else:
        app.config.update(test_config)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)
    app.jinja_env.undefined = StrictUndefined
    app.url_map.converters["int"] = IdConverter

    app.extensions["token_signer"] = TokenSigner(app.config["SECRET_KEY"])
    app.extensions["fragments"] = build_registry(app.config, app.extensions["token_signer"])
    engine = make_engine(app.config["DATABASE_URL"])
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

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"current_user": g.get("user"), "csrf_token": security.csrf_token, "htmx_file": HTMX_FILE,
                "app_version": VERSION}

    # Globals, not context: imported macros (fragment_slot) see globals only.
    app.jinja_env.globals.update(fragment_url=fragment_url, fragment_assets=fragment_assets)

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
