"""What shell templates call to place a fragment: the slot's URL (or why there is none) and the CSS."""
from __future__ import annotations

from typing import Any

from .registry import registry


def fragment_url(name: str, slot: str, params: dict[str, Any] | None = None) -> str | None:
    """None: this fragment is not part of the installation (the legacy region stays).
    '': it is, but its running version does not offer this slot (a notice shows).
    Otherwise the same-origin URL to load into the slot."""
    fragments = registry()
    if name not in fragments:
        return None
    found = fragments.slot(name, slot)
    if found is None:
        return ""
    try:
        return found.url(fragments.prefix(name), params or {})
    except (KeyError, IndexError, ValueError):  # the fragment's path wants a parameter this page lacks
        return ""


def fragment_assets(kind: str) -> list[str]:
    return registry().assets(kind)


def enabled(name: str) -> bool:
    return name in registry()
