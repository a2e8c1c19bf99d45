"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

SLOTS = {
    "search": ("/search?q={q}", "The knowledge base cannot be searched right now."),
    "article": ("/articles/{article_id}", "This article cannot be shown right now."),
    "proposals": ("/proposals", "Proposed article changes cannot be shown right now."),
}


def manifest() -> dict[str, Any]:
    return {"name": "knowledge", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "fallback": fallback, "timeout_ms": 2500}
                      for slot, (path, fallback) in SLOTS.items()},
            "assets": {"css": ["/static/knowledge.css"]}}
