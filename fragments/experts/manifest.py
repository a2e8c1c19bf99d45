"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

# Per slot: its path and time-out; what a page shows when it cannot answer is the page's own.
SLOTS = {
    "home": "/",
    "ticket": "/tickets/{ticket_id}",
    "profile": "/profile",
    "roster": "/admin/experts",
}


def manifest() -> dict[str, Any]:
    return {"name": "experts", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "timeout_ms": 2500} for slot, path in SLOTS.items()},
            "assets": {"css": ["/static/experts.css"], "js": ["/static/experts.js"]}}
