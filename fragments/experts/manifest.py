"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

SLOTS = {
    "home": ("/", "Your offers and assignments cannot be shown right now."),
    "ticket": ("/tickets/{ticket_id}", "This ticket cannot be shown right now."),
    "profile": ("/profile", "Your profile cannot be shown right now."),
}


def manifest() -> dict[str, Any]:
    return {"name": "experts", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "fallback": fallback, "timeout_ms": 2500}
                      for slot, (path, fallback) in SLOTS.items()},
            "assets": {"css": ["/static/experts.css"], "js": ["/static/experts.js"]}}
