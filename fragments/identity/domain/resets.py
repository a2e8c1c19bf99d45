"""Links that set a password: made when an admin opens an account or asks for one, or when a customer or
an expert asks at the sign-in page. The link holds a random token; the service keeps only its digest,
for a day, and a link sets one password once."""
from __future__ import annotations

import hashlib
import secrets

LIFETIME_S = 24 * 3600
PATH = "/account/reset/{token}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: object) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= 64 and token.isascii()


def link(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + PATH.format(token=token)
