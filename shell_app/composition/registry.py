"""The fragments this shell composes: where each runs, its manifest (cached), and the HTTP client
the proxy uses to reach it with a per-fragment time-out."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import quote

import requests
import urllib3
from flask import current_app

from foundation.tokens import Principal

from .manifest import Manifest, ManifestError, Slot, parse

log = logging.getLogger(__name__)
MANIFEST_TTL_S = 30.0
MANIFEST_RETRY_S = 5.0  # after a failed read, use the last known manifest this long before asking again
MANIFEST_TIMEOUT_S = 1.0
CONNECT_TIMEOUT_S = 0.5


class FragmentUnavailable(Exception):
    """The fragment did not answer in time, refused the connection, or answered 5xx."""


@dataclass
class _Cached:
    manifest: Manifest | None
    live: bool
    checked_at: float


@dataclass(frozen=True)
class FragmentResponse:
    status: int
    body: bytes
    headers: urllib3.HTTPHeaderDict  # names in any case, as HTTP has them (RFC 9110)


class FragmentRegistry:
    def __init__(self, fragments: dict[str, str], token_for, *, clock=time.monotonic):
        self.bases = dict(fragments)
        self._token_for = token_for  # (fragment name) -> service token for manifest reads
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._reading: set[str] = set()  # manifests being read again beside the pages
        self._lock = threading.Lock()
        self.http = requests.Session()  # manifests: rare, and their errors read best through requests
        self.http.trust_env = False
        # Slots and proxied requests: the hot path of every composed page. urllib3 straight (what requests
        # itself uses underneath) costs a fragment call about 40% less CPU; not retried by urllib3 (a write
        # must not be sent twice: `fetch` repeats only a GET that got no answer at all), never redirected
        # (the browser follows), kept-alive per fragment.
        self.pool = urllib3.PoolManager(num_pools=len(self.bases) + 1, maxsize=32, retries=False)

    def __contains__(self, name: str) -> bool:
        return name in self.bases

    def prefix(self, name: str) -> str:
        return f"/fragments/{name}"

    def manifest(self, name: str) -> Manifest | None:
        """The fragment's manifest as last read. Once one is known, a page never waits for the next
        read: when it is due (MANIFEST_TTL_S after a good read, MANIFEST_RETRY_S after a failed one) the
        page gets the last one and one read starts beside it. Before any is known the read is the page's
        own (at most one per MANIFEST_RETRY_S while the fragment does not answer: the slots show their
        fallbacks meanwhile)."""
        if name not in self.bases:
            return None
        now = self._clock()
        with self._lock:
            cached = self._cache.get(name)
            due = cached is None or now - cached.checked_at >= (MANIFEST_TTL_S if cached.live else MANIFEST_RETRY_S)
            if not due or name in self._reading:
                return cached.manifest if cached else None
            if cached is not None and cached.manifest is not None:
                self._reading.add(name)
                threading.Thread(target=self._refresh, args=(name,), name=f"manifest-{name}", daemon=True).start()
                return cached.manifest
        return self._refresh(name, inline=True)

    def reading(self, name: str) -> bool:
        """Whether the fragment's manifest is being read again now, beside the pages."""
        with self._lock:
            return name in self._reading

    def _refresh(self, name: str, inline: bool = False) -> Manifest | None:
        try:
            manifest, live = self._read(name)
            with self._lock:
                cached = self._cache.get(name)
                if manifest is None and cached:
                    manifest = cached.manifest  # the last one read stays in use
                self._cache[name] = _Cached(manifest, live, self._clock())
            return manifest
        finally:
            if not inline:
                with self._lock:
                    self._reading.discard(name)

    def _read(self, name: str) -> tuple[Manifest | None, bool]:
        try:
            response = self.http.get(self.bases[name] + "/manifest.json", timeout=(CONNECT_TIMEOUT_S, MANIFEST_TIMEOUT_S),
                                     headers={"Authorization": f"Bearer {self._token_for(name)}"})
            response.raise_for_status()
            return parse(response.json(), name), True
        except (requests.RequestException, ValueError, ManifestError) as exc:
            log.warning("fragment %s: manifest unavailable (%s)", name, exc)
            return None, False

    def slot(self, name: str, slot: str) -> Slot | None:
        manifest = self.manifest(name)
        return manifest.slots.get(slot) if manifest else None

    def assets(self, kind: str, only: Iterable[str] | None = None) -> list[str]:
        """The fragments' stylesheets ("css") or scripts ("js"), as same-origin URLs naming the fragment's
        version: fragments let browsers keep their assets (fragments/kit/bootstrap.py), and a new
        version is a new URL. `only`: those of these fragments (a page's own), else every fragment's."""
        urls = []
        for name in (self.bases if only is None else [n for n in self.bases if n in set(only)]):
            manifest = self.manifest(name)
            for path in (getattr(manifest, kind) if manifest else ()):
                urls.append(f"{self.prefix(name)}{path}{'&' if '?' in path else '?'}v={quote(manifest.version)}")
        return urls

    def timeout_for(self, name: str, path: str) -> float:
        manifest = self.manifest(name)
        if manifest is None:
            return 2.5
        matching = [s.timeout_ms for s in manifest.slots.values() if path_matches(s.path, path)]
        return (max(matching) if matching else manifest.timeout_ms) / 1000

    def service_token(self, name: str) -> str:
        """A token naming the shell service (no user) for fragment `name`: for what anyone may open."""
        return self._token_for(name)

    def send(self, method: str, url: str, **options: Any) -> urllib3.BaseHTTPResponse:
        """One request over the kept-alive connections, redirects not followed. A kept-alive connection
        that the server closed just as it was reused (its keep-alive ran out; gunicorn's is 2 s, as is the
        shell's memory of a session, so a steady user meets it) answered nothing: a GET or HEAD goes once
        more, on a new connection; anything else is never sent twice (it may have been acted on)."""
        try:
            return self.pool.request(method, url, redirect=False, **options)
        except urllib3.exceptions.ProtocolError:
            if method not in ("GET", "HEAD"):
                raise
            return self.pool.request(method, url, redirect=False, **options)

    def fetch(self, name: str, method: str, path: str, *, query: bytes, headers: dict[str, str], body: bytes,
              timeout: float) -> FragmentResponse:
        url = self.bases[name] + path + (f"?{query.decode('latin-1')}" if query else "")
        try:
            response = self.send(method, url, headers=headers, body=body or None,
                                 timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=timeout))
        except urllib3.exceptions.HTTPError as exc:
            log.warning("fragment %s %s %s: %s", name, method, path, exc)
            raise FragmentUnavailable(f"{name}: {exc.__class__.__name__}") from exc
        if response.status >= 500:
            raise FragmentUnavailable(f"{name}: answered {response.status}")
        return FragmentResponse(response.status, response.data, urllib3.HTTPHeaderDict(response.headers))


def path_matches(template: str, path: str) -> bool:
    parts, wanted = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(wanted) and all(p.startswith("{") or p == w for p, w in zip(parts, wanted))


def registry() -> FragmentRegistry:
    return current_app.extensions["fragments"]


def build_registry(app_config: dict[str, Any], signer) -> FragmentRegistry:
    fragments = dict(app_config.get("FRAGMENTS", ()))
    return FragmentRegistry(fragments, lambda name: signer.mint(Principal("service", "shell"), f"fragment:{name}"))
