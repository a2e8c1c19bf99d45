"""What shell templates call to place a fragment: the slot's URL (or why there is none) and the CSS."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from .registry import registry

# The fragment is installed but has not told this shell its slots yet (down since the shell started):
# the page shows the slot's fallback, and a reload asks again.
UNREACHABLE = "#unreachable"
# What a slot shows when its fragment cannot answer, unless the page says better beside the slot.
GENERIC_FALLBACK = "This part of the page is not available right now."
# The header that carries a slot's fallback with htmx's requests to the proxy (shell_app/front/proxy.py).
FALLBACK_HEADER = "X-Slot-Fallback"


def fragment_url(name: str, slot: str, params: dict[str, Any] | None = None) -> str | None:
    """None: this fragment is not part of the installation (the legacy region stays).
    '': it is, but its running version does not offer this slot (a notice shows).
    Otherwise the same-origin URL to load into the slot."""
    fragments = registry()
    if name not in fragments:
        return None
    if fragments.manifest(name) is None:
        return UNREACHABLE
    found = fragments.slot(name, slot)
    if found is None:
        return ""
    try:
        return found.url(fragments.prefix(name), params or {})
    except (KeyError, IndexError, ValueError):  # the fragment's path wants a parameter this page lacks
        return ""


def fragment_assets(kind: str, only: Any = None) -> list[str]:
    """The assets of the fragments a page composes (`only`, as the page's template declares them in
    `page_fragments`: a fragment's HTML refers to its own fragment alone), else of every fragment."""
    return registry().assets(kind, None if only is None else list(only))


def enabled(name: str) -> bool:
    return name in registry()


def fallback_headers(fallback: str) -> dict[str, str]:
    """The hx-headers of a slot: its fallback travels (percent-encoded) with every request htmx makes for it,
    so the proxy or nginx, which never saw the page, answers a failure with the page's own words."""
    return {FALLBACK_HEADER: quote(fallback[:300], safe=" ")}


def fallback_of(headers: Any) -> str:
    """The fallback a request for a slot carries, or the generic one."""
    return unquote(headers.get(FALLBACK_HEADER, ""))[:300] or GENERIC_FALLBACK
