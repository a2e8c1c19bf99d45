"""Tokens between our processes (ADR 0003): each way a token can be wrong is refused, one by one, and
keys rotate without a moment in which good tokens fail."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from foundation import keys, tokens
from foundation.tokens import (
    MAX_TTL_SECONDS,
    KeptTokens,
    Principal,
    TokenError,
    TokenSigner,
    TokenVerifier,
)

from .support.keys import KEYS_DIR, forge, mint

CALL_CENTRE = Principal("user", "callcentre", "call_centre")


def bridge() -> TokenVerifier:
    return TokenVerifier.for_audience(KEYS_DIR, "bridge")


def test_a_good_token_names_its_principal():
    principal = bridge().verify(mint(Principal("user", "customer1", "customer", customer_id=1), "bridge"))
    assert (principal.kind, principal.subject, principal.role, principal.customer_id) == (
        "user", "customer1", "customer", 1)
    assert bridge().verify(mint(Principal("service", "ticketing"), "bridge")).subject == "ticketing"


def _header_swapped(token: str, **header) -> str:
    _head, body, signature = token.split(".")
    head = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    return f"{head}.{body}.{signature}"


def _public_bytes(service: str) -> bytes:
    return keys.OwnKey.in_keys_dir(KEYS_DIR, service)().private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def bad_tokens() -> dict[str, str]:
    shell_kid = keys.OwnKey.in_keys_dir(KEYS_DIR, "shell")().kid
    now = time.time()
    good = mint(CALL_CENTRE, "bridge")
    return {
        "garbage": "not.a.token",
        "tampered claims": _tamper(good, cid=2, role="admin"),
        "unknown kid": forge(kid="shell-1-000000"),
        "kid of another key": forge(kid=keys.OwnKey.in_keys_dir(KEYS_DIR, "reports")().kid),
        "wrong key under the shell's kid": forge(kid=shell_kid,
                                                 signing_key=keys.OwnKey.in_keys_dir(KEYS_DIR, "experts")().private),
        "another installation's key": forge(signing_key=Ed25519PrivateKey.generate()),
        "expired": forge(now=now - 3600, lifetime=60),
        "not yet valid": forge({"nbf": int(now) + 600, "exp": int(now) + 900}),
        "issued in the future": forge({"iat": int(now) + 600, "nbf": int(now), "exp": int(now) + 900}),
        "lifetime over the maximum": forge(lifetime=MAX_TTL_SECONDS + 60),
        "other audience": mint(CALL_CENTRE, "fragment:ticketing"),
        "no expiry": _without(forge(), "exp"),
        "alg none": jwt.encode({**jwt.decode(good, options={"verify_signature": False})}, None, algorithm="none",
                               headers={"kid": shell_kid}),
        "alg confusion (HS256 keyed with the public key)": _hs256_with_public_key(good, shell_kid),
        "a fragment names a user": forge(issuer="experts"),
        "a service names another": forge({"kind": "service", "sub": "ticketing", "role": None}, issuer="reports"),
        "issuer claim differs from the key's": forge({"iss": "ticketing"}),
    }


def _tamper(token: str, **changes) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    return ".".join((head, base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("="), signature))


def _without(token: str, claim: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.pop(claim)
    own = keys.OwnKey.in_keys_dir(KEYS_DIR, "shell")()
    return jwt.encode(claims, own.private, algorithm="EdDSA", headers={"kid": own.kid})


def _hs256_with_public_key(token: str, kid: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    signature = hmac.new(_public_bytes("shell"), head + b"." + body, hashlib.sha256).digest()
    return b".".join((head, body, base64.urlsafe_b64encode(signature).rstrip(b"="))).decode()


@pytest.mark.parametrize("how", sorted(bad_tokens()))
def test_each_wrong_token_is_refused(how):
    with pytest.raises(TokenError):
        bridge().verify(bad_tokens()[how])


def test_signers_refuse_to_speak_for_others():
    with pytest.raises(ValueError):
        TokenSigner.for_service(KEYS_DIR, "experts").mint(CALL_CENTRE, "fragment:ticketing")
    with pytest.raises(ValueError):
        TokenSigner.for_service(KEYS_DIR, "experts").mint(Principal("service", "ticketing"), "bridge")
    with pytest.raises(ValueError):
        TokenSigner.for_service(KEYS_DIR, "shell").mint(CALL_CENTRE, "bridge", ttl=86_400)


def test_keys_are_generated_private_and_the_public_set_holds_no_secret(tmp_path):
    directory = tmp_path / "keys"
    keys.ensure_all(directory)
    for service in keys.SERVICES:
        (pem,) = (directory / "private" / service).glob("*.pem")
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
        assert stat.S_IMODE(pem.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "private" / "shell" / "session.key").stat().st_mode) == 0o600
    public = json.loads((directory / "public.json").read_text())["keys"]
    assert {entry["iss"] for entry in public} == set(keys.SERVICES)
    assert all(set(entry) == {"kty", "crv", "x", "kid", "alg", "use", "iss", "retire_at"} for entry in public)


def test_rotation_old_and_new_keys_verify_during_the_overlap_and_the_old_one_stops_after(tmp_path):
    directory = tmp_path / "keys"
    keys.ensure_all(directory)
    clock = [time.time()]
    verifier = TokenVerifier.for_audience(directory, "bridge", now=lambda: clock[0])
    signer = TokenSigner.for_service(directory, "ticketing")
    service = Principal("service", "ticketing")
    before = signer.mint(service, "bridge")
    old_kid = jwt.get_unverified_header(before)["kid"]

    new_kid = keys.rotate(directory, "ticketing", overlap_seconds=600, now=clock[0] + 1)
    after = signer.mint(service, "bridge")  # the running signer picks the new key up without a restart
    assert jwt.get_unverified_header(after)["kid"] == new_kid != old_kid
    assert verifier.verify(before).subject == verifier.verify(after).subject == "ticketing"

    clock[0] += 601  # the overlap is over: the old key no longer verifies, the new one does
    with pytest.raises(TokenError, match="retired"):
        verifier.verify(before)
    assert verifier.verify(after).subject == "ticketing"

    keys.rotate(directory, "ticketing", overlap_seconds=600, now=clock[0])  # the next rotation prunes it
    assert old_kid not in {entry["kid"] for entry in keys.published(directory)}
    assert not list((directory / "private" / "ticketing").glob(f"{old_kid}.pem"))


def test_the_rotate_command_gives_every_service_a_new_key(tmp_path):
    env = {**os.environ, "SYSOPS_DATA_DIR": str(tmp_path), "SYSOPS_KEYS_DIR": str(tmp_path / "keys")}
    keys.ensure_all(tmp_path / "keys")
    before = {e["kid"] for e in keys.published(tmp_path / "keys")}
    done = subprocess.run([sys.executable, "-m", "sysops.cli", "keys", "rotate", "--all", "--overlap", "60"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    published = keys.published(tmp_path / "keys")
    fresh = [e for e in published if e["kid"] not in before]
    assert sorted(e["iss"] for e in fresh) == sorted(keys.SERVICES)
    assert all(e["retire_at"] is not None for e in published if e["kid"] in before)


def test_threads_reading_a_fresh_key_set_together_all_find_the_key():
    """gunicorn's threads share one verifier; the first requests arrive together (this was a real
    "unknown key" under load: a thread saw the new stamp before the keys were read)."""
    kid = keys.OwnKey.in_keys_dir(KEYS_DIR, "shell")().kid
    misses = []
    for _ in range(50):
        public = keys.PublicKeys(keys.public_file(KEYS_DIR))
        barrier = threading.Barrier(8)

        def read():
            barrier.wait()
            if public.get(kid) is None:
                misses.append(kid)

        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert misses == []


def test_a_kept_user_token_is_handed_out_again_for_half_its_life_per_principal_audience_and_key(tmp_path):
    directory = tmp_path / "keys"
    keys.ensure_all(directory)
    clock = [time.time()]
    kept = KeptTokens(TokenSigner.for_service(directory, "shell"), now=lambda: clock[0])
    session = Principal("user", "expert1", "expert", expert_id=1, csrf_digest="a" * 64)
    first = kept.mint(session, "fragment:experts", 60)
    assert kept.mint(session, "fragment:experts", 60) == first
    assert kept.mint(session, "fragment:ticketing", 60) != first
    assert kept.mint(Principal("user", "expert1", "expert", expert_id=1, csrf_digest="b" * 64),
                     "fragment:experts", 60) != first  # another session
    clock[0] += 29
    assert kept.mint(session, "fragment:experts", 60) == first
    clock[0] += 2  # past half its life: a new one
    second = kept.mint(session, "fragment:experts", 60)
    assert second != first and kept.mint(session, "fragment:experts", 60) == second
    keys.rotate(directory, "shell", overlap_seconds=600, now=time.time())
    rotated = kept.mint(session, "fragment:experts", 60)
    assert rotated != second and jwt.get_unverified_header(rotated)["kid"] != jwt.get_unverified_header(second)["kid"]


def test_a_verified_token_is_known_again_until_it_expires(monkeypatch):
    verifier = bridge()
    token = mint(Principal("service", "ticketing"), "bridge", ttl=60)
    checked = []
    full = verifier._verify
    monkeypatch.setattr(verifier, "_verify", lambda t: checked.append(t) or full(t))
    assert verifier.verify(token) == verifier.verify(token) and len(checked) == 1
    assert verifier.verify(token).token == token

    class Later:  # the wall clock past the token's expiry (and the skew): it is checked in full again
        @staticmethod
        def time() -> float:
            return time.time() + 66

    monkeypatch.setattr(tokens, "time", Later)
    verifier.verify(token)  # PyJWT's own clock still says it is valid
    assert len(checked) == 2
    with pytest.raises(TokenError):
        verifier.verify(token[:-3] + "abc")  # a near copy is not the token that was verified


def test_a_retired_user_issuer_stops_naming_users_after_its_overlap_and_a_restore_brings_it_back(tmp_path):
    """The monolith leaving the user issuers (ADR 0035): its user tokens verify during the overlap, then
    are refused everywhere without a restart; the identity service's keep verifying, and so do the
    monolith's tokens for its own calls as a service."""
    directory = tmp_path / "keys"
    keys.ensure_all(directory)
    clock = [time.time()]
    verifier = TokenVerifier.for_audience(directory, "fragment:ticketing", now=lambda: clock[0])
    person = Principal("user", "agent", "call_centre")
    by_shell = TokenSigner.for_service(directory, "shell").mint(person, "fragment:ticketing", ttl=60)
    by_identity = TokenSigner.for_service(directory, "identity").mint(person, "fragment:ticketing", ttl=60)
    as_service = TokenSigner.for_service(directory, "shell").mint(Principal("service", "shell"), "fragment:ticketing")
    at = keys.retire_user_issuer(directory, "shell", overlap_seconds=30, now=clock[0])
    assert keys.retire_user_issuer(directory, "shell", overlap_seconds=999, now=clock[0] + 5) == at  # the first time stays
    assert verifier.verify(by_shell).subject == "agent"  # within the overlap
    clock[0] += 31
    with pytest.raises(TokenError, match="may not name users"):
        verifier.verify(by_shell)
    assert verifier.verify(by_identity).subject == "agent"
    assert verifier.verify(as_service).subject == "shell"
    keys.rotate(directory, "ticketing", now=clock[0])  # the key set rewritten: the retirement stays
    assert keys.retired_user_issuers(directory) == {"shell": at}
    assert keys.restore_user_issuer(directory, "shell") and not keys.restore_user_issuer(directory, "shell")
    assert verifier.verify(by_shell).subject == "agent"
