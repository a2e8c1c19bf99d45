"""What a compromised fragment process can sign (ADR 0003): for every fragment, take everything its
configuration holds (the environment the launcher gives it, its settings, the signing key its code
loads) and try to use it against the monolith and the other services. Positive controls show each
attempt would have worked with the right material."""
from __future__ import annotations

import dataclasses
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from foundation import keys
from foundation.config import load_settings
from foundation.tokens import TokenError, TokenVerifier
from sysops import launcher
from sysops.supervisor import child_env

from .support.keys import KEYS_DIR

FRAGMENTS = ("ticketing", "experts", "reports")
PROCESSES = (*FRAGMENTS, "ticketing-worker", "reports-worker")  # every process of a fragment's, as `sysops run` starts it
SIGNS_AS = {"ticketing": "ticketing", "experts": "experts", "reports": "reports", "ticketing-worker": "ticketing",
            "reports-worker": "reports"}


def fragment_configuration(name: str) -> tuple[dict[str, str], keys.SigningKey]:
    """The environment and signing key of fragment `name` as `sysops run` starts it, with an operator
    who supplied the session key through the environment (the riskiest way)."""
    operator_env = {"SYSOPS_KEYS_DIR": str(KEYS_DIR), "SYSOPS_SESSION_KEY": "operator-supplied-session-key",
                    "PATH": "/usr/bin"}
    settings = load_settings(operator_env)
    (spec,) = [s for s in launcher.process_specs(settings) if s.name == name]
    env = child_env(spec, operator_env)
    settings = load_settings(env)
    return env, keys.OwnKey(settings.signing_folder(SIGNS_AS[name]), SIGNS_AS[name])()


def held_strings(env: dict[str, str]) -> set[str]:
    settings = dataclasses.asdict(load_settings(env))
    return {str(v) for v in (*env.values(), *settings.values()) if v} | set(env)


def _token(signing: keys.SigningKey, *, kid: str | None = None, **claims) -> str:
    now = int(time.time())
    body = {"iss": signing.issuer, "sub": signing.issuer, "aud": "bridge", "iat": now, "nbf": now, "exp": now + 60,
            "jti": "attempt", "kind": "service", **claims}
    return jwt.encode(body, signing.private, algorithm="EdDSA", headers={"kid": kid or signing.kid})


@pytest.mark.parametrize("name", PROCESSES)
def test_the_launcher_gives_no_fragment_the_session_key(name):
    env, _key = fragment_configuration(name)
    assert "SYSOPS_SESSION_KEY" not in env
    assert "operator-supplied-session-key" not in held_strings(env)


@pytest.mark.parametrize("name", PROCESSES)
def test_a_fragment_is_told_only_of_its_own_key_folder_and_the_public_keys(name):
    env, signing = fragment_configuration(name)
    settings = load_settings(env)
    assert "SYSOPS_KEYS_DIR" not in env and settings.keys_dir is None
    own = keys.own_folder(KEYS_DIR, SIGNS_AS[name]).resolve()
    assert settings.own_keys == own and settings.public_keys == keys.public_file(KEYS_DIR).resolve()
    # Whatever service it asks to sign as, it is handed its own folder: it has no other.
    assert {settings.signing_folder(service) for service in keys.SERVICES} == {own}
    assert signing.issuer == SIGNS_AS[name]
    others = [keys.own_folder(KEYS_DIR, s).resolve() for s in keys.SERVICES if s != SIGNS_AS[name]]
    for value in held_strings(env):
        assert not any(value.startswith(str(folder)) for folder in others), value


@pytest.mark.parametrize("name", PROCESSES)
def test_nothing_a_fragment_holds_signs_a_session_the_monolith_accepts(app, auth, client, name):
    auth.login("admin")
    with client.session_transaction() as live:
        payload = dict(live)  # a real admin session: only its signature is in question below
    env, signing = fragment_configuration(name)
    interface = SecureCookieSessionInterface()

    def admitted_with(secret) -> bool:
        forger = Flask("forger")
        forger.secret_key = secret
        cookie = interface.get_signing_serializer(forger).dumps(payload)
        intruder = app.test_client()
        intruder.set_cookie("session", cookie)
        return intruder.get("/experts").status_code == 200

    assert admitted_with(app.secret_key)  # control: the monolith's own key would do it
    pem = signing.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    for secret in held_strings(env) | {pem, signing.kid}:
        assert not admitted_with(secret), secret[:40]


@pytest.mark.parametrize("name", PROCESSES)
def test_a_fragments_key_speaks_only_for_that_fragment(client, name):
    _env, signing = fragment_configuration(name)
    shell_kid = keys.OwnKey.in_keys_dir(KEYS_DIR, "shell")().kid

    def bridge_status(token: str) -> int:
        return client.get("/bridge/v1/products", headers={"Authorization": f"Bearer {token}"}).status_code

    assert bridge_status(_token(signing)) == 200  # control: as itself, it is a granted service
    others = [s for s in keys.SERVICES if s != signing.issuer]
    attempts = {
        "a user, for the bridge": _token(signing, kind="user", sub="admin", role="admin"),
        **{f"service {other}": _token(signing, sub=other) for other in others},
        **{f"issuer {other}": _token(signing, iss=other, sub=other) for other in others},
        "the shell's kid": _token(signing, kid=shell_kid, iss="shell", kind="user", sub="admin", role="admin"),
    }
    for why, token in attempts.items():
        assert bridge_status(token) == 401, why


@pytest.mark.parametrize("name", FRAGMENTS)
def test_a_fragments_key_cannot_name_a_user_to_another_fragment(name):
    _env, signing = fragment_configuration(name)
    for target in FRAGMENTS:
        verifier = TokenVerifier.for_audience(KEYS_DIR, f"fragment:{target}")
        with pytest.raises(TokenError):
            verifier.verify(_token(signing, aud=f"fragment:{target}", kind="user", sub="admin", role="admin"))
