"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

# Per slot: its path; what a page shows when it cannot answer is the page's own.
SLOTS = {
    "outbox": "/outbox",
    "customer_messages": "/customers/{customer_id}/messages",
    "preferences": "/customers/{customer_id}/preferences",
    # Both of the above in one answer, for a page that shows both (the staff's customer page): one
    # request of the page's instead of two.
    "customer": "/customers/{customer_id}",
}


def manifest() -> dict[str, Any]:
    return {"name": "notifications", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "timeout_ms": 2500} for slot, path in SLOTS.items()},
            "assets": {"css": ["/static/notifications.css"]}}
