"""A composed page's one stylesheet: the shell's own CSS, then the CSS of each fragment the page
composes (in the registry's order, as the separate links had it), served as one response the browser
keeps (ADR 0044: each stylesheet a page links costs the browser a load and a style pass, cache or not).

Its URL names every part's version (`/styles.css?shell=<hash>&customers=1.1.0&ticketing=1.4.0`), so any
worker of any shell builds it from the URL alone and a browser keeps it a year: a new fragment version
is a new URL, as each fragment's own `?v=` link was. A fragment's CSS is fetched from the fragment (its
static files are open to anyone) once per version and process, then kept.

What a browser keeps must be what the URL names: a part that could not be fetched, or a URL naming a
version no longer running (a page rendered just before a deploy), is answered with what there is now and
is not kept (`no-store`), so the next page asks again.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode

import urllib3

from .manifest import Manifest
from .registry import CONNECT_TIMEOUT_S, FragmentRegistry

log = logging.getLogger(__name__)
ROUTE = "/styles.css"
SHELL_CSS = "shell/legacy.css"
SHELL_PART = "shell"  # the query parameter naming the shell's own CSS by the hash of its content
FETCH_TIMEOUT_S = 2.0
KEEP_AT_MOST = 64  # fragment versions kept per process (a deploy adds one per fragment)
YEAR_S = 365 * 24 * 3600


@dataclass(frozen=True)
class Sheet:
    body: bytes
    keep: bool  # every part fetched, each at the version the URL names: a browser may keep it a year

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:20]


class Stylesheets:
    """One per app: the URL a page links, and the sheet a URL names. `shell_version` is the hash of
    the shell's own CSS as its asset URLs have it (shell_app.assets.versioned)."""

    def __init__(self, fragments: FragmentRegistry, static_folder: str, shell_version: str):
        self._fragments = fragments
        self._shell_css = (Path(static_folder) / SHELL_CSS).read_bytes()
        self.shell_version = shell_version
        self._kept: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def url(self, only: Iterable[str] | None) -> str | None:
        """The page's stylesheet when it composes fragments with CSS of their own (`only`: the page's
        fragments, else every fragment); None when the shell's own CSS is all it needs."""
        fragments = self._fragments
        names = fragments.bases if only is None else [n for n in fragments.bases if n in set(only)]
        parts = [(name, manifest.version) for name in names
                 if (manifest := fragments.manifest(name)) is not None and manifest.css]
        if not parts:
            return None
        return f"{ROUTE}?{urlencode([(SHELL_PART, self.shell_version), *parts])}"

    def named(self, query: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
        """The fragments and versions a URL's query names (the shell's part first), or None when it
        names something this shell does not compose, or a part twice."""
        if not query or query[0][0] != SHELL_PART:
            return None
        parts = query[1:]
        names = [name for name, _ in parts]
        if len(set(names)) != len(names) or any(name not in self._fragments for name in names):
            return None
        return parts

    def sheet(self, shell_version: str, parts: list[tuple[str, str]]) -> Sheet:
        """The shell's CSS and each named fragment's CSS at the version it runs now."""
        pieces, keep = [self._shell_css], shell_version == self.shell_version
        for name, version in parts:
            manifest = self._fragments.manifest(name)
            css = self._fragment_css(name, manifest) if manifest is not None else None
            keep = keep and css is not None and manifest is not None and manifest.version == version
            if css is not None and manifest is not None:
                pieces.append(f"\n/* {name} {manifest.version} */\n".encode() + css)
        return Sheet(b"".join(pieces), keep)

    def _fragment_css(self, name: str, manifest: Manifest) -> bytes | None:
        key = (name, manifest.version)
        with self._lock:
            if key in self._kept:
                return self._kept[key]
        fetched = []
        for path in manifest.css:
            try:
                answer = self._fragments.send("GET", self._fragments.bases[name] + path,
                                              timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=FETCH_TIMEOUT_S))
            except urllib3.exceptions.HTTPError as exc:
                log.warning("fragment %s: stylesheet %s not fetched (%s)", name, path, exc)
                return None
            if answer.status != 200:
                log.warning("fragment %s: stylesheet %s answered %s", name, path, answer.status)
                return None
            fetched.append(answer.data)
        css = b"\n".join(fetched)
        with self._lock:
            if len(self._kept) >= KEEP_AT_MOST:
                self._kept.clear()
            self._kept[key] = css
        return css
