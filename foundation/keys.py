"""Each service's own Ed25519 signing key, the installation's set of public keys, and the monolith's
session key.

Layout of a keys directory (SYSOPS_KEYS_DIR, default <data dir>/keys):

    public.json                    every service's public keys (JWK, with issuer and retirement time)
    private/<service>/<kid>.pem    that service's private keys, 0600 in a 0700 folder; the newest signs
    private/shell/session.key      the monolith's session-cookie key, 0600

A process signs only with `private/<its own name>/` and verifies with `public.json`. Only the operator's
commands and the launcher see the whole folder (SYSOPS_KEYS_DIR): every other process is started
with SYSOPS_OWN_KEYS (its private folder) and SYSOPS_PUBLIC_KEYS (the public file) and never writes
either. In production each service also runs as its own user that can read only those two
(README, "Security model"); on one developer machine (`make run`) the file system does not separate
them, the configuration does.

Rotation publishes the new public key first, then writes the private key that signs from then on; the
previous keys of that service get a retirement time (the overlap) after which verifiers refuse them.
Processes pick up a rotation without restarting: both sides notice a changed file on the next token.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

# Everything of ours that signs tokens: the monolith ("shell": user tokens, its own calls), every
# fragment service, and the operator's migration commands ("backfill").
SERVICES = ("shell", "ticketing", "experts", "reports", "knowledge", "notifications", "customers", "identity",
            "backfill")
PUBLIC_FILE = "public.json"
DEFAULT_OVERLAP_SECONDS = 2 * 3600  # longer than any token's lifetime, so nothing signed before is cut off
# A retired user issuer's tokens: the longest user token lives 60 s (a fragment's) to 300 s (the default).
USER_TOKEN_OVERLAP_SECONDS = 300


class KeyMissing(Exception):
    """A key that should be there is not, or a key file is unreadable."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    issuer: str
    private: Ed25519PrivateKey


@dataclass(frozen=True)
class PublicKey:
    kid: str
    issuer: str
    key: Ed25519PublicKey
    retire_at: float | None

    def usable(self, now: float) -> bool:
        return self.retire_at is None or now < self.retire_at


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwk(kid: str, issuer: str, public: Ed25519PublicKey, retire_at: float | None) -> dict:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": kid, "alg": "EdDSA", "use": "sig",
            "iss": issuer, "retire_at": retire_at}


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_public(directory: Path, keys: list[dict], retired_issuers: dict[str, float] | None = None) -> None:
    """The key set (and the user issuers retired, kept as they are unless given)."""
    retired = _read_retired(directory) if retired_issuers is None else retired_issuers
    document: dict = {"keys": keys}
    if retired:
        document["retired_user_issuers"] = retired
    tmp = directory / (PUBLIC_FILE + ".tmp")
    tmp.write_text(json.dumps(document, indent=1))
    os.chmod(tmp, 0o644)
    os.replace(tmp, directory / PUBLIC_FILE)


def _read_public(directory: Path) -> list[dict]:
    try:
        return list(json.loads((directory / PUBLIC_FILE).read_text())["keys"])
    except FileNotFoundError:
        return []


def _read_retired(directory: Path) -> dict[str, float]:
    try:
        return dict(json.loads((directory / PUBLIC_FILE).read_text()).get("retired_user_issuers") or {})
    except FileNotFoundError:
        return {}


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time across processes (gunicorn workers start together)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_kid(service: str, now: float) -> str:
    return f"{service}-{int(now * 1000)}-{secrets.token_hex(3)}"


def _created_ms(path: Path) -> int:
    try:
        return int(path.stem.split("-")[1])
    except (IndexError, ValueError):
        return -1


def own_folder(directory: Path, service: str) -> Path:
    """Where `service`'s private keys are kept in a keys directory."""
    return directory / "private" / service


def public_file(directory: Path) -> Path:
    return directory / PUBLIC_FILE


def _pem_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pem")) if folder.is_dir() else []


def _private_files(directory: Path, service: str) -> list[Path]:
    return _pem_files(own_folder(directory, service))


def _add_key(directory: Path, service: str, now: float, overlap: float | None) -> str:
    kid = _new_kid(service, now)
    private = Ed25519PrivateKey.generate()
    public = _read_public(directory)
    if overlap is not None:
        for entry in public:
            if entry["iss"] == service and entry.get("retire_at") is None:
                entry["retire_at"] = now + overlap
    public.append(_jwk(kid, service, private.public_key(), None))
    _write_public(directory, public)  # verifiers know the key before anything is signed with it
    _write_private(directory / "private" / service / f"{kid}.pem", private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return kid


def ensure_key(directory: Path, service: str, *, now: float | None = None) -> None:
    """Generate `service`'s first key pair if it has none (first start)."""
    if _private_files(directory, service):
        return
    with _locked(directory):
        if not _private_files(directory, service):
            _add_key(directory, service, time.time() if now is None else now, overlap=None)


def ensure_all(directory: Path) -> None:
    for service in SERVICES:
        ensure_key(directory, service)
    session_key(directory)


def rotate(directory: Path, service: str, *, overlap_seconds: float = DEFAULT_OVERLAP_SECONDS,
           now: float | None = None) -> str:
    """A new signing key for `service`; its older keys keep verifying for `overlap_seconds`, then stop.
    Keys retired before now are removed (public entry and private file)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    now = time.time() if now is None else now
    with _locked(directory):
        kid = _add_key(directory, service, now, overlap=overlap_seconds)
        prune(directory, now=now)
    return kid


def prune(directory: Path, *, now: float) -> list[str]:
    """Forget keys whose retirement time has passed."""
    public = _read_public(directory)
    gone = [e["kid"] for e in public if e.get("retire_at") is not None and e["retire_at"] <= now]
    if gone:
        _write_public(directory, [e for e in public if e["kid"] not in gone])
        for entry in gone:
            for path in (directory / "private").glob(f"*/{entry}.pem"):
                path.unlink(missing_ok=True)
    return gone


def published(directory: Path) -> list[dict]:
    return _read_public(directory)


def retire_user_issuer(directory: Path, issuer: str, *, overlap_seconds: float = USER_TOKEN_OVERLAP_SECONDS,
                       now: float | None = None) -> float:
    """From `overlap_seconds` on, verifiers refuse user tokens `issuer` signs (its tokens for its own
    calls as a service stay good): how the monolith stops saying who a user is once the identity service
    signs people in (ADR 0035). Returns the time it takes effect; retiring again keeps the first time."""
    now = time.time() if now is None else now
    with _locked(directory):
        retired = _read_retired(directory)
        retired.setdefault(issuer, now + overlap_seconds)
        _write_public(directory, _read_public(directory), retired)
        return retired[issuer]


def restore_user_issuer(directory: Path, issuer: str) -> bool:
    """`issuer` may name users again at once (a rollback of sign-in to the monolith). True if it was retired."""
    with _locked(directory):
        retired = _read_retired(directory)
        if issuer not in retired:
            return False
        del retired[issuer]
        _write_public(directory, _read_public(directory), retired)
        return True


def retired_user_issuers(directory: Path) -> dict[str, float]:
    return _read_retired(directory)


def own_session_key(folder: Path) -> str:
    """The cookie key kept in the shell's own folder, for a composition shell given that folder alone (it
    is made with the folder's key: `ensure_all`)."""
    return (folder / "session.key").read_text().strip()


def session_key(directory: Path) -> str:
    """The monolith's session-cookie key: SYSOPS_SESSION_KEY, else generated once (0600)."""
    supplied = os.environ.get("SYSOPS_SESSION_KEY")
    if supplied:
        return supplied
    path = directory / "private" / "shell" / "session.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    with _locked(directory):
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(48).encode())
    return path.read_text().strip()


def metrics_token(directory: Path) -> str:
    """The bearer token Prometheus sends to every service's /metrics: SYSOPS_METRICS_TOKEN, else
    generated once into the keys folder (0600). It opens only read-only counters and gauges."""
    supplied = os.environ.get("SYSOPS_METRICS_TOKEN")
    if supplied:
        return supplied
    path = directory / "metrics.token"
    if not path.exists():
        with _locked(directory):
            if not path.exists():
                _write_private(path, secrets.token_urlsafe(32).encode())
    return path.read_text().strip()


class _Watched:
    """A file or folder re-read only when it changed (one stat per use). Callers hold their own lock
    around `changed()` and the re-read, so no thread sees the new stamp before the new content."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple | None = None

    def changed(self) -> bool:
        try:
            info = self.path.stat()
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        return True


class OwnKey:
    """The signing key of one service: the newest private key in its folder, re-read after a rotation."""

    def __init__(self, folder: Path, service: str):
        self.folder, self.service = folder, service
        self._folder = _Watched(folder)
        self._key: SigningKey | None = None
        self._lock = threading.Lock()

    @classmethod
    def in_keys_dir(cls, directory: Path, service: str) -> "OwnKey":
        return cls(own_folder(directory, service), service)

    def __call__(self) -> SigningKey:
        with self._lock:
            if self._folder.changed() or self._key is None:
                self._key = self._load()
            return self._key

    def _load(self) -> SigningKey:
        files = _pem_files(self.folder)
        if not files:
            raise KeyMissing(f"no signing key for {self.service} in {self.folder} "
                             "(`sysops keys init` makes the installation's keys)")
        newest = max(files, key=_created_ms)
        private = serialization.load_pem_private_key(newest.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyMissing(f"{newest} is not an Ed25519 key")
        return SigningKey(newest.stem, self.service, private)


class PublicKeys:
    """The installation's public keys by kid, re-read when public.json changes."""

    def __init__(self, file: Path):
        self._file = _Watched(file)
        self._keys: dict[str, PublicKey] = {}
        self._retired: dict[str, float] = {}
        self._lock = threading.Lock()  # gunicorn threads share one set; none may see it half-read

    def get(self, kid: str) -> PublicKey | None:
        with self._lock:
            self._fresh()
            return self._keys.get(kid)

    def user_issuer_retired(self, issuer: str, now: float) -> bool:
        """Whether `issuer` no longer says who a user is (keys.retire_user_issuer), at `now`."""
        with self._lock:
            self._fresh()
            at = self._retired.get(issuer)
        return at is not None and at <= now

    def _fresh(self) -> None:
        if self._file.changed():
            self._keys, self._retired = self._load()

    def _load(self) -> tuple[dict[str, PublicKey], dict[str, float]]:
        try:
            document = json.loads(self._file.path.read_text())
            entries = list(document["keys"])
            retired = {str(k): float(v) for k, v in dict(document.get("retired_user_issuers") or {}).items()}
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return {}, {}  # no usable key set: every token is refused until there is one
        return {entry["kid"]: PublicKey(entry["kid"], entry["iss"],
                                        Ed25519PublicKey.from_public_bytes(_unb64(entry["x"])), entry.get("retire_at"))
                for entry in entries if entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519"}, retired
