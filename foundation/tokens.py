"""Signed, short-lived bearer tokens between our own processes (zero trust, ADR 0003).

A token names either a user (minted only by who signs people in: the monolith, "shell", and the
identity service taking that over; the logged-in person's role plus customer or expert id) or a
calling service (which can only name itself). Tokens are JWTs
signed with the issuer's own Ed25519 key (PyJWT, alg EdDSA, `kid` in the header); verifiers hold
only public keys (foundation.keys) and check, on every request: a known, unretired key whose
issuer is the token's `iss`, the signature, audience, not-before, expiry, a maximum lifetime, and
that the issuer may assert this principal.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import jwt

from .keys import OwnKey, PublicKeys, SigningKey, own_folder, public_file

ALGORITHM = "EdDSA"
DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 5
# Who signs people in may say who a user is: the monolith, and the identity service that takes its login
# over (ADR 0032). The operator retires the monolith from it once the identity service signs people in
# (`sysops keys retire-user-issuer`, keys.retire_user_issuer: ADR 0035).
USER_ISSUERS = frozenset({"shell", "identity"})
REQUIRED_CLAIMS = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"]


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
    # The verified token itself, which a fragment trades for one to call another as this user (ADR 0031).
    token: str | None = field(default=None, compare=False, repr=False)
    # When the verified token runs out (seconds since the epoch): an exchanged token lives no longer.
    expires_at: int | None = field(default=None, compare=False, repr=False)

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


class TokenSigner:
    """Mints tokens as `issuer` with that issuer's own private key."""

    def __init__(self, issuer: str, key: Callable[[], SigningKey], *, now: Callable[[], float] = time.time):
        self.issuer = issuer
        self._key = key
        self._now = now

    @classmethod
    def for_service(cls, keys_dir: Path, service: str, **kwargs) -> "TokenSigner":
        """`service`'s signer from an installation's keys directory (operator tools, tests)."""
        return cls.from_folder(own_folder(keys_dir, service), service, **kwargs)

    @classmethod
    def from_folder(cls, folder: Path, service: str, **kwargs) -> "TokenSigner":
        """`service`'s signer from its own private folder (what a running service is given)."""
        return cls(service, OwnKey(folder, service), **kwargs)

    def mint(self, principal: Principal, audience: str | Sequence[str], ttl: int = DEFAULT_TTL_SECONDS,
             actor: str | None = None) -> str:
        """`actor`: the service a token exchange made this token for (its `act` claim, RFC 8693)."""
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise ValueError("token lifetime must be between 1 s and 1 h")
        if principal.is_service and principal.subject != self.issuer:
            raise ValueError(f"{self.issuer} cannot mint a token for service {principal.subject}")
        if not principal.is_service and self.issuer not in USER_ISSUERS:
            raise ValueError(f"{self.issuer} cannot mint user tokens")
        key = self._key()
        issued = int(self._now())
        claims = {"iss": self.issuer, "sub": principal.subject, "aud": audience if isinstance(audience, str)
                  else list(audience), "iat": issued, "nbf": issued, "exp": issued + ttl,
                  "jti": secrets.token_urlsafe(12), "kind": principal.kind}
        optional = {"role": principal.role, "cid": principal.customer_id, "eid": principal.expert_id,
                    "csrf": principal.csrf_digest}
        claims.update({name: value for name, value in optional.items() if value is not None})
        if actor is not None:
            claims["act"] = {"sub": actor}
        return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})

    def current_kid(self) -> str:
        """The kid of the key this signer mints with now."""
        return self._key().kid

    def service_token(self, audience: str) -> Callable[[], str]:
        """A fresh token of this service itself at each call, for `audience` (an HTTP client's header)."""
        return lambda: self.mint(Principal("service", self.issuer), audience)


class KeptTokens:
    """A signer's user tokens handed out again while at least half their life is left: the shell asks
    for one per fragment request, and a fragment's page then presents the same token for a while, which
    its verifier (and a token exchange, ADR 0031) has already checked. Per principal (the session's CSRF
    digest included, so per session), audience, lifetime and signing key: a rotated key mints anew."""

    def __init__(self, signer: TokenSigner, *, keep: int = 4096, now: Callable[[], float] = time.time):
        self.signer = signer
        self._keep = keep
        self._now = now
        self._kept: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def mint(self, principal: Principal, audience: str, ttl: int) -> str:
        key = (principal, audience, ttl, self.signer.current_kid())
        now = self._now()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[1] > now:
                self._kept.move_to_end(key)
                return kept[0]
        token = self.signer.mint(principal, audience, ttl)
        with self._lock:
            self._kept[key] = (token, now + ttl / 2)
            while len(self._kept) > self._keep:
                self._kept.popitem(last=False)
        return token


class TokenVerifier:
    """Verifies tokens meant for `audience` against the installation's public keys. A token verified
    once is known again by its text until it expires (`keep` of them): what a later use re-checks is
    what can change, its key (still published, not retired) and its expiry."""

    def __init__(self, audience: str, public_keys: PublicKeys, *, now: Callable[[], float] = time.time,
                 max_lifetime: int = MAX_TTL_SECONDS, keep: int = 4096):
        self.audience = audience
        self._keys = public_keys
        self._now = now
        self._max_lifetime = max_lifetime
        self._keep = keep
        self._verified: OrderedDict[str, tuple[Principal, str]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def for_audience(cls, keys_dir: Path, audience: str, **kwargs) -> "TokenVerifier":
        return cls.from_file(public_file(keys_dir), audience, **kwargs)

    @classmethod
    def from_file(cls, public_keys: Path, audience: str, **kwargs) -> "TokenVerifier":
        return cls(audience, PublicKeys(public_keys), **kwargs)

    def verify(self, token: str) -> Principal:
        with self._lock:
            known = self._verified.get(token)
        if known is not None:
            principal, kid = known
            public = self._keys.get(kid)
            now = self._now()
            # Expiry on the wall clock, as PyJWT checks it; the key on this verifier's clock, as below.
            if public is not None and public.usable(now) and \
                    time.time() <= (principal.expires_at or 0) + CLOCK_SKEW_SECONDS and \
                    (principal.is_service or not self._keys.user_issuer_retired(public.issuer, now)):
                return principal
            with self._lock:
                self._verified.pop(token, None)
        principal, kid = self._verify(token)
        with self._lock:
            self._verified[token] = (principal, kid)
            while len(self._verified) > self._keep:
                self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError("token not signed with an accepted algorithm")
        kid = header.get("kid")
        public = self._keys.get(kid) if isinstance(kid, str) else None
        if public is None:
            raise TokenError("token signed with an unknown key")
        now = self._now()
        if not public.usable(now):
            raise TokenError("token signed with a retired key")
        try:
            claims = jwt.decode(token, public.key, algorithms=[ALGORITHM], audience=self.audience,
                                issuer=public.issuer, leeway=CLOCK_SKEW_SECONDS,
                                options={"require": REQUIRED_CLAIMS})
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("token not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("token not meant for this service") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("invalid token") from exc
        return self._principal(claims, token, now), kid

    def _principal(self, claims: dict, token: str, now: float) -> Principal:
        issued, expires = claims["iat"], claims["exp"]
        if not isinstance(issued, int) or not isinstance(expires, int):
            raise TokenError("malformed token")
        if expires - issued > self._max_lifetime:
            raise TokenError("token lifetime over the maximum")
        if issued > now + CLOCK_SKEW_SECONDS:
            raise TokenError("token not valid yet")
        kind, subject, issuer = claims.get("kind"), claims["sub"], claims["iss"]
        if kind == "service":
            if subject != issuer:
                raise TokenError("a service may only speak for itself")
        elif kind == "user":
            if issuer not in USER_ISSUERS or self._keys.user_issuer_retired(issuer, now):
                raise TokenError("this issuer may not name users")
        else:
            raise TokenError("malformed token")
        values = {name: claims.get(name) for name in ("role", "cid", "eid", "csrf")}
        if not all(v is None or isinstance(v, str) for v in (values["role"], values["csrf"])) or not all(
                v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (values["cid"], values["eid"])):
            raise TokenError("malformed token")
        return Principal(kind, subject, values["role"], values["cid"], values["eid"], values["csrf"], token=token,
                         expires_at=expires)


def csrf_digest(csrf_token: str) -> str:
    return hashlib.sha256(b"sysops-csrf-v1:" + csrf_token.encode()).hexdigest()


def bearer(header_value: str | None) -> str:
    if not header_value or not header_value.startswith("Bearer "):
        raise TokenError("missing bearer token")
    return header_value[len("Bearer "):].strip()
