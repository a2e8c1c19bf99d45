"""Reading a fragment's manifest tolerantly, so the shell works with a fragment one version older or
newer than the one it was built with: unknown keys are ignored, a slot the fragment does not (yet or
any more) declare shows a notice, and only a different manifest major version is refused. A slot's
`fallback`, which manifests carried before the pages said their own, is ignored."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

SUPPORTED_MANIFEST_VERSION = 1
DEFAULT_TIMEOUT_MS = 2500
MIN_TIMEOUT_MS, MAX_TIMEOUT_MS = 100, 10_000


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Slot:
    path: str
    timeout_ms: int = DEFAULT_TIMEOUT_MS

    def url(self, prefix: str, params: dict[str, Any]) -> str:
        return prefix + self.path.format(**{k: _segment(v) for k, v in params.items()})


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    slots: dict[str, Slot]
    css: tuple[str, ...] = ()
    js: tuple[str, ...] = ()
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    extra: dict[str, Any] = field(default_factory=dict)


def _segment(value: Any) -> str:
    return quote(str(value), safe="")


def _timeout(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_TIMEOUT_MS
    return max(MIN_TIMEOUT_MS, min(MAX_TIMEOUT_MS, value))


def _relative(path: Any) -> bool:
    return isinstance(path, str) and path.startswith("/") and not path.startswith("//") and "\\" not in path


def parse(data: Any, expected_name: str) -> Manifest:
    if not isinstance(data, dict):
        raise ManifestError("a manifest is a JSON object")
    if data.get("name") != expected_name:
        raise ManifestError(f"manifest names {data.get('name')!r}, expected {expected_name!r}")
    major = data.get("manifest_version", 1)
    if major != SUPPORTED_MANIFEST_VERSION:
        raise ManifestError(f"manifest version {major!r} is not supported (this shell reads "
                            f"{SUPPORTED_MANIFEST_VERSION})")
    slots: dict[str, Slot] = {}
    raw_slots = data.get("slots") if isinstance(data.get("slots"), dict) else {}
    for slot_name, raw in raw_slots.items():
        if isinstance(raw, str):  # shorthand: just the path
            raw = {"path": raw}
        if not isinstance(raw, dict) or not _relative(raw.get("path")):
            continue  # a slot this shell cannot use is skipped, not fatal
        slots[str(slot_name)] = Slot(raw["path"], _timeout(raw.get("timeout_ms")))
    assets = data.get("assets") if isinstance(data.get("assets"), dict) else {}
    css, js = (tuple(p for p in assets.get(kind, []) if _relative(p)) if isinstance(assets.get(kind), list) else ()
               for kind in ("css", "js"))
    known = {"name", "version", "manifest_version", "slots", "assets"}
    return Manifest(name=expected_name, version=str(data.get("version", "unknown")), slots=slots, css=css, js=js,
                    timeout_ms=max((s.timeout_ms for s in slots.values()), default=DEFAULT_TIMEOUT_MS),
                    extra={k: v for k, v in data.items() if k not in known})
