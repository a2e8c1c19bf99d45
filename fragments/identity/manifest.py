"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

SLOTS = {"accounts": "/admin/accounts"}


def manifest() -> dict[str, Any]:
    return {"name": "identity", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "timeout_ms": 2500} for slot, path in SLOTS.items()},
            "assets": {"css": ["/static/identity.css"]}}
