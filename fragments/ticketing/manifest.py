"""What the shell needs to know to embed this fragment (read from GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

MANIFEST_VERSION = 1
# Per slot: the path (with {placeholders} the shell fills) and how long the shell waits for it. What a
# page shows when the fragment cannot answer is the page's own (the fallback beside its slot).
SLOTS = {
    "customer-tickets": "/customers/{customer_id}/tickets",
    "raise-ticket": "/customers/{customer_id}/tickets/new",
    "ticket-list": "/tickets",
    "ticket-detail": "/tickets/{ticket_id}",
    "queue": "/queue",
    "survey": "/surveys/{ticket_id}",
    "survey-template": "/surveys/template",
}
TIMEOUT_MS = 2500


def manifest() -> dict[str, Any]:
    return {"name": "ticketing", "version": VERSION, "manifest_version": MANIFEST_VERSION,
            "slots": {slot: {"path": path, "timeout_ms": TIMEOUT_MS} for slot, path in SLOTS.items()},
            "assets": {"css": ["/static/ticketing.css"]}}
