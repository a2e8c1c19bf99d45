"""What the shell needs to know to embed this fragment (read from GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

MANIFEST_VERSION = 1
# Per slot: the path (with {placeholders} the shell fills), the text shown when the fragment cannot
# answer in time, and that time.
SLOTS = {
    "customer-tickets": ("/customers/{customer_id}/tickets", "This customer's tickets cannot be shown right now."),
    "raise-ticket": ("/customers/{customer_id}/tickets/new", "Tickets cannot be raised right now."),
    "ticket-list": ("/tickets", "The ticket list cannot be shown right now."),
    "ticket-detail": ("/tickets/{ticket_id}", "This ticket cannot be shown right now."),
    "queue": ("/queue", "The unassigned and overdue queue cannot be shown right now."),
    "survey": ("/surveys/{ticket_id}", "The survey cannot be shown right now."),
}
TIMEOUT_MS = 2500


def manifest() -> dict[str, Any]:
    return {"name": "ticketing", "version": VERSION, "manifest_version": MANIFEST_VERSION,
            "slots": {slot: {"path": path, "fallback": fallback, "timeout_ms": TIMEOUT_MS}
                      for slot, (path, fallback) in SLOTS.items()},
            "assets": {"css": ["/static/ticketing.css"]}}
