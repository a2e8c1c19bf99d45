"""Salted scrypt password hashes: `scrypt$n$r$p$salt_hex$hash_hex`.

The cost is stored in each hash so it can be raised later: a login with an older,
cheaper hash re-hashes the password at the current cost (see `needs_rehash`).
"""
from __future__ import annotations

import hashlib
import hmac
import os

CURRENT_COST = (2**15, 8, 1)
# Bulk demo data only: tens of thousands of generated accounts would take minutes at full cost.
# Such hashes are upgraded to CURRENT_COST at their first login.
DEMO_COST = (2**10, 8, 1)
_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str, *, salt: bytes | None = None, cost: tuple[int, int, int] = CURRENT_COST) -> str:
    n, r, p = cost
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        return int(parts[1]), int(parts[2]), int(parts[3]), bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return None


def verify_password(stored: str, password: str) -> bool:
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(expected))
    return hmac.compare_digest(digest, expected)


def needs_rehash(stored: str) -> bool:
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != CURRENT_COST


# Verified against when the username is unknown, so a wrong username costs as much time
# as a wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH: list[str] = []


def dummy_verify(password: str) -> None:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not-a-real-password"))
    verify_password(_DUMMY_HASH[0], password)


def check_login(stored: str | None, password: str) -> bool:
    """Verify a sign-in at the cost of one current-cost hash whatever the account: an unknown name is
    checked against a dummy hash, and a hash cheaper than today's (bulk demo accounts, old hashes until
    their first login re-hashes them) is followed by the dummy one, so timing reveals no account."""
    if stored is None:
        dummy_verify(password)
        return False
    matches = verify_password(stored, password)
    if needs_rehash(stored):
        dummy_verify(password)
    return matches


MIN_PASSWORD = 10


def password_errors(new: str, confirm: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(new) < MIN_PASSWORD:
        errors["new"] = f"Choose a password of at least {MIN_PASSWORD} characters."
    elif new != confirm:
        errors["confirm"] = "The two new passwords differ."
    return errors
