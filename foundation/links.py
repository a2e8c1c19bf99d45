"""Signed links in messages: a capability to do one thing (confirm a visit, ask for another slot,
cancel, accept or refuse an offer) that works without logging in, so it must be unforgeable, expire,
and be used once.

A link token is a JWT (PyJWT, EdDSA) signed with the issuing service's own key (foundation.keys, the
same keys as service tokens, ADR 0003) for an audience of its own (`link:<service>`), so no link is
ever accepted as a bearer token nor a bearer token as a link. It carries what it may do (`act`), on
which ticket, for whom, and a `jti` the issuing service records when the link is used: a second use is
refused (single use is the issuer's to enforce, in its own store)."""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any, Callable

import jwt

from .keys import OwnKey, PublicKeys, SigningKey

ALGORITHM = "EdDSA"
MAX_LIFETIME_S = 14 * 24 * 3600  # a reminder's link lives until the visit; never longer than two weeks
REQUIRED = ["iss", "aud", "iat", "exp", "jti", "act"]


class LinkError(Exception):
    """Why a link does nothing: `tampered` (not ours, or altered), `expired`."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def audience(service: str) -> str:
    return f"link:{service}"


class LinkSigner:
    def __init__(self, issuer: str, key: Callable[[], SigningKey], now: Callable[[], float] = time.time):
        self.issuer, self._key, self._now = issuer, key, now

    @classmethod
    def from_folder(cls, folder: Path, service: str, **kwargs: Any) -> LinkSigner:
        return cls(service, OwnKey(folder, service), **kwargs)

    def sign(self, act: str, claims: dict[str, Any], expires_at: float) -> str:
        issued = int(self._now())
        expires = int(min(expires_at, issued + MAX_LIFETIME_S))
        if expires <= issued:
            raise ValueError("a link must not be born expired")
        key = self._key()
        body = {**claims, "act": act, "iss": self.issuer, "aud": audience(self.issuer), "iat": issued,
                "exp": expires, "jti": secrets.token_urlsafe(12)}
        return jwt.encode(body, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})


class LinkVerifier:
    def __init__(self, service: str, public_keys: PublicKeys, now: Callable[[], float] = time.time):
        self.service, self._keys, self._now = service, public_keys, now

    @classmethod
    def from_file(cls, public_keys: Path, service: str, **kwargs: Any) -> LinkVerifier:
        return cls(service, PublicKeys(public_keys), **kwargs)

    def verify(self, token: str) -> dict[str, Any]:
        tampered = LinkError("tampered", "This link is not one of ours, or it was changed on the way.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise tampered from exc
        public = self._keys.get(header.get("kid")) if isinstance(header.get("kid"), str) else None
        if header.get("alg") != ALGORITHM or public is None or public.issuer != self.service:
            raise tampered
        try:
            claims: dict[str, Any] = jwt.decode(token, public.key, algorithms=[ALGORITHM],
                                                audience=audience(self.service), issuer=self.service,
                                                options={"require": REQUIRED, "verify_exp": False,
                                                         "verify_iat": False})
        except jwt.PyJWTError as exc:
            raise tampered from exc
        if not isinstance(claims["exp"], int) or not isinstance(claims["iat"], int) or (
                claims["exp"] - claims["iat"] > MAX_LIFETIME_S):
            raise tampered
        if claims["exp"] <= self._now():
            raise LinkError("expired", "This link has expired.")
        return claims
