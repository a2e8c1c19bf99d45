"""The composition shell's app (ADR 0033): the front door once the identity service signs people in.

It holds no data and opens no database: who is signed in and every fragment's token come from the
identity service (shell_app.front_door), every page's content from the services that own it. Freeze or
remove the monolith and this app, with the services, still serves every role's daily work."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from foundation import inbound, keys, observability
from foundation.config import REPO_ROOT, load_settings
from foundation.tokens import TokenSigner

from .. import errors, front_door
from ..access import enforce_access, enforce_csrf, load_person, public
from ..composition.registry import build_registry
from . import health, layout, links, pages, proxy, sign_in

SIGNED_IN_BY = front_door.IDENTITY


def create_front(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(REPO_ROOT / "templates"), static_folder=str(REPO_ROOT / "static"),
                static_url_path="/static")
    if test_config is None:
        settings = load_settings()
        if settings.keys_dir is not None:  # given the installation's keys (a test, a hand-started shell)
            keys.ensure_key(settings.keys_dir, "shell")
        # Launched, it is given its own folder alone (sysops.launcher.confine_keys): its key, and the cookie key.
        own = settings.signing_folder("shell")
        # The signed cookie holds only the CSRF token of an anonymous link's page (no one's session).
        app.config.update(SECRET_KEY=keys.session_key(settings.keys_dir) if settings.keys_dir is not None
                          else keys.own_session_key(own), SIGNING_FOLDER=str(own),
                          FRAGMENTS=settings.fragments, SESSION_COOKIE_SECURE=settings.https,
                          METRICS_TOKEN=settings.metrics_token, FIRST_PAINT_BUDGET_MS=settings.first_paint_budget_ms)
    else:
        app.config.update(test_config)
    missing = sorted(set(pages.NEEDED) - set(dict(app.config.get("FRAGMENTS", ()))))
    if missing:  # a page with no service behind it would be a dead link on every screen
        raise RuntimeError(f"the composition shell needs these services in SYSOPS_FRAGMENTS: {', '.join(missing)}")
    observability.install(app, "shell", public=public, token=app.config.get("METRICS_TOKEN"))
    inbound.install(app)
    # Its own key signs only its calls as the shell service (a link's page); people's tokens are the
    # identity service's (ADR 0032).
    signer = (TokenSigner.from_folder(Path(app.config["SIGNING_FOLDER"]), "shell") if app.config.get("SIGNING_FOLDER")
              else TokenSigner.for_service(Path(app.config["KEYS_DIR"]), "shell"))
    app.extensions["fragments"] = build_registry(app.config, signer)
    front_door.install(app, lambda: SIGNED_IN_BY)

    @app.before_request
    def who_is_asking() -> None:
        load_person()

    app.before_request(enforce_access)
    app.before_request(enforce_csrf)
    layout.install(app, nav=pages.SUCCESSORS)
    for blueprint in (health.bp, sign_in.bp, proxy.bp, links.bp, *pages.BLUEPRINTS):
        app.register_blueprint(blueprint)
    errors.register(app)
    return app
