"""Signed, short-lived bearer tokens between our own processes (zero trust).

A token names either a user (minted by the monolith's login for the logged-in person:
role plus customer or expert id) or a calling service (e.g. "ticketing"). Every app
verifies signature, expiry and audience on every request, then checks role and ownership.

Format: base64url(JSON claims) "." base64url(HMAC-SHA256). The HMAC key is derived from the
installation's secret with a purpose label, so it differs from the session-cookie key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 5


class TokenError(Exception):
    """The token is missing, malformed, forged, expired or meant for someone else."""


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "service"
    subject: str  # username or service name
    role: str | None = None  # user role; None for services
    customer_id: int | None = None
    expert_id: int | None = None
    # For user tokens minted per browser request: a digest of that session's CSRF token, so a
    # fragment can check a state change came from a page of ours without seeing the session.
    csrf_digest: str | None = None

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: str, *, now=time.time):
        self._key = hmac.new(secret.encode(), b"sysops-bearer-token-v1", hashlib.sha256).digest()
        self._now = now

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def mint(self, principal: Principal, audience: str, ttl: int = DEFAULT_TTL_SECONDS) -> str:
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise ValueError("token lifetime must be between 1 s and 1 h")
        issued = int(self._now())
        claims = {"kind": principal.kind, "sub": principal.subject, "role": principal.role,
                  "cid": principal.customer_id, "eid": principal.expert_id, "aud": audience,
                  "csrf": principal.csrf_digest,
                  "iat": issued, "exp": issued + ttl, "jti": secrets.token_urlsafe(8)}
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, audience: str) -> Principal:
        body, _, signature = token.partition(".")
        if not body or not signature or not hmac.compare_digest(signature, self._sign(body)):
            raise TokenError("invalid token signature")
        try:
            claims = json.loads(_unb64(body))
            kind, subject, expires = claims["kind"], claims["sub"], int(claims["exp"])
            audiences = claims["aud"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenError("malformed token") from exc
        if expires + CLOCK_SKEW_SECONDS < self._now():
            raise TokenError("token expired")
        if audiences != audience:
            raise TokenError("token not meant for this service")
        if kind not in ("user", "service") or not isinstance(subject, str):
            raise TokenError("malformed token")
        return Principal(kind=kind, subject=subject, role=claims.get("role"),
                         customer_id=claims.get("cid"), expert_id=claims.get("eid"),
                         csrf_digest=claims.get("csrf"))


def csrf_digest(csrf_token: str) -> str:
    return hashlib.sha256(b"sysops-csrf-v1:" + csrf_token.encode()).hexdigest()


def bearer(header_value: str | None) -> str:
    if not header_value or not header_value.startswith("Bearer "):
        raise TokenError("missing bearer token")
    return header_value[len("Bearer "):].strip()
