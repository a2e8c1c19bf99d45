"""The test run's key set: a key pair per service in one temporary keys directory, made once.

Apps under test get it as KEYS_DIR (in-process) or SYSOPS_KEYS_DIR (served); tests mint tokens as a
real issuer would: users only through the monolith's key, services each with their own.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from pathlib import Path

import jwt

from foundation import keys
from foundation.keys import OwnKey
from foundation.tokens import Principal, TokenSigner

KEYS_DIR = Path(tempfile.mkdtemp(prefix="sysops-test-keys-"))
keys.ensure_all(KEYS_DIR)
atexit.register(shutil.rmtree, KEYS_DIR, True)


def signer(issuer: str, **kwargs) -> TokenSigner:
    return TokenSigner.for_service(KEYS_DIR, issuer, **kwargs)


def mint(principal: Principal, audience, ttl: int = 300, **kwargs) -> str:
    """A token as its rightful issuer mints it: the monolith for users, the service itself otherwise."""
    return signer(principal.subject if principal.is_service else "shell", **kwargs).mint(principal, audience, ttl)


def env() -> dict[str, str]:
    """What a served process of ours needs to find the keys."""
    return {"SYSOPS_KEYS_DIR": str(KEYS_DIR)}


def forge(claims: dict | None = None, *, issuer: str = "shell", kid: str | None = None, signing_key=None,
          algorithm: str = "EdDSA", lifetime: int = 300, now: float | None = None) -> str:
    """A token made by hand, past TokenSigner's own checks: what an attacker holding `issuer`'s private
    key (or none) could send. `claims` override the defaults of a call-centre user token for the bridge."""
    own = OwnKey.in_keys_dir(KEYS_DIR, issuer)()
    issued = int(time.time() if now is None else now)
    body = {"iss": issuer, "sub": "callcentre", "aud": "bridge", "iat": issued, "nbf": issued,
            "exp": issued + lifetime, "jti": "forged", "kind": "user", "role": "call_centre"}
    body.update(claims or {})
    key = own.private if signing_key is None else signing_key
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid or own.kid})
