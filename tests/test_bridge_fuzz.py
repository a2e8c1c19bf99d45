"""Schema-driven fuzzing of every bridge route from its own OpenAPI document: zero 5xx."""
from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from bridge_api.openapi import document
from foundation.tokens import Principal
from shell_app.db import make_engine
from shell_app.demo_data import PRESETS, generate
from shell_app.migrations import upgrade
from sysops.wsgi import monolith as create_app
from tests.support.keys import KEYS_DIR, mint

SCHEMA = schemathesis.openapi.from_dict(document())
# Between them, these two principals are admitted to every route (services to the service
# routes, an admin to the staff ones), so fuzzed input reaches every handler.
PRINCIPALS = [Principal("service", "ticketing"), Principal("user", "admin", "admin")]


@pytest.fixture(scope="module")
def fuzz_app(request):
    # SQLite only: the fuzzing is about the bridge's input handling, not the storage engine.
    url = request.getfixturevalue("fresh_database_url")("sqlite")

    engine = make_engine(url)
    upgrade(engine)
    generate(engine, seed=5, scale=PRESETS["tiny"], anchor=dt.date(2026, 11, 1))
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "KEYS_DIR": KEYS_DIR, "DATABASE_URL": url})
    yield app
    app.extensions["db_engine"].dispose()


@SCHEMA.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_route_answers_5xx(case, fuzz_app):
    client = fuzz_app.test_client()
    for principal in PRINCIPALS:
        request = case.as_transport_kwargs(base_url="/bridge/v1")
        headers = {**request["headers"], "Authorization": f"Bearer {mint(principal, 'bridge')}"}
        response = client.open(request["url"], method=request["method"], query_string=request.get("params"),
                               headers=headers, json=request.get("json"), data=request.get("data"))
        assert response.status_code < 500, (request, response.get_data()[:300])
