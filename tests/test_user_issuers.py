"""The monolith leaves the user issuers (ADR 0035): the operator's command refuses while the monolith
still signs people in and then retires it in the installation's key set; a rollback of sign-in brings it
back first; the monolith's own token route refuses once the identity service signs people in. (That
every verifier then refuses its user tokens, without a restart: tests/test_tokens.py.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from foundation import keys
from shell_app.db import make_engine, make_session_factory
from shell_app.front_door import Person
from shell_app.migrations import upgrade
from shell_app.part_owners import ACCOUNTS, set_owner


def _sysops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_command_retires_the_monolith_only_once_the_identity_service_signs_people_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    engine = make_engine(url)
    upgrade(engine)
    env = {**os.environ, "SYSOPS_DATA_DIR": str(tmp_path), "SYSOPS_KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": url}
    keys.ensure_all(tmp_path / "keys")
    refused = _sysops(env, "keys", "retire-user-issuer")
    assert refused.returncode == 2 and "still signs people in" in refused.stderr
    assert keys.retired_user_issuers(tmp_path / "keys") == {}
    with make_session_factory(engine)() as session:
        set_owner(session, ACCOUNTS, "identity")
    engine.dispose()
    done = _sysops(env, "keys", "retire-user-issuer", "--overlap", "60")
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "keys" / "public.json").read_text())
    assert set(document["retired_user_issuers"]) == {"shell"} and document["keys"]  # the keys themselves stay
    listed = _sysops(env, "keys", "list")
    assert "shell      names no user since" in listed.stdout
    assert "may name users again" in _sysops(env, "keys", "restore-user-issuer").stdout
    assert keys.retired_user_issuers(tmp_path / "keys") == {}


def test_the_monoliths_token_route_refuses_once_the_identity_service_signs_people_in(app, client, auth, monkeypatch):
    auth.login("customer1")
    assert client.get("/auth/token").status_code == 200
    monkeypatch.setattr(app.extensions["front_door"], "open", lambda **_: True)
    signed_in = Person(1, "customer1", "customer", "Customer One", 1, None, "c" * 43)
    monkeypatch.setattr(app.extensions["front_door"], "person", lambda session_id: signed_in)
    client.set_cookie("sysops_session", "s" * 43)
    answer = client.get("/auth/token")
    assert answer.status_code == 410 and "identity service" in answer.get_json()["error"]
