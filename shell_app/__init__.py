"""The Sysops Squad front end: the legacy monolith (`shell_app.monolith`: its screens, its login, its
relational database) and the composition shell that replaces it at the front door (`shell_app.front`:
layout, navigation, fragments, permission forwarding; no database). The monolith is imported only when
asked for, so the front's processes never load it (ADR 0033)."""
from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None):
    """The monolith's app (its screens and login; sysops.wsgi mounts the bridge beside them)."""
    # Imported here: the composition shell's processes import this package and must not load the monolith.
    from .monolith import create_app as create_monolith

    return create_monolith(test_config)
