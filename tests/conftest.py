"""Fixtures: a real SQLite file and a real PostgreSQL cluster, each migrated and seeded once."""
from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from sqlalchemy import select

from shell_app.db import make_engine
from shell_app.demo_data import PRESETS, generate
from shell_app.migrations import upgrade
from sysops.wsgi import monolith as create_app
from tests.support.keys import KEYS_DIR
from tests.support.postgres import PostgresCluster
from tests.support.smtp import SmtpServer

BACKENDS = ["sqlite", "postgresql"]
DEMO_PASSWORD = "sysops-demo"
ANCHOR = dt.date(2026, 11, 1)
_names = itertools.count()


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server of the module's own, recording what it receives (tests/support/smtp.py)."""
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def fresh_database_url(request, tmp_path_factory):
    """A factory of empty databases on a backend: `fresh_database_url("sqlite")`."""

    def make(backend: str) -> str:
        name = f"sysops_{next(_names)}"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        return request.getfixturevalue("postgres").create_database(name)

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def seeded_url(backend, fresh_database_url) -> str:
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, seed=7, scale=PRESETS["tiny"], anchor=ANCHOR)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app(seeded_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "KEYS_DIR": KEYS_DIR, "DATABASE_URL": seeded_url})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    session = app.extensions["db_sessions"]()
    yield session
    session.close()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Log in and out through the real login form, as a person would."""

    def __init__(self, client):
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str = DEMO_PASSWORD):
        page = self.client.get("/login")
        response = self.client.post("/login", data={"username": username, "password": password,
                                                    "csrf_token": csrf_from(page.get_data(as_text=True))})
        home = self.client.get("/")
        if home.status_code == 200:
            self.csrf = csrf_from(home.get_data(as_text=True))
        elif home.status_code == 302 and "/login" not in home.headers["Location"]:
            self.csrf = csrf_from(self.client.get(home.headers["Location"]).get_data(as_text=True))
        return response

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def staff(app):
    """A call-centre browser, signed in: (client, auth)."""
    client = app.test_client()
    auth = Auth(client)
    auth.login("callcentre")
    return client, auth


@pytest.fixture
def account_of(db):
    from shell_app.models import UserAccount

    def find(role: str) -> UserAccount:
        return db.scalars(select(UserAccount).where(UserAccount.role == role).order_by(UserAccount.id)).first()

    return find
