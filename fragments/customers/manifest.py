"""What the shell reads to embed this fragment (GET /manifest.json)."""
from __future__ import annotations

from typing import Any

from . import VERSION

# Per slot: its path; what a page shows when it cannot answer is the page's own.
SLOTS = {
    "customer": "/customers/{customer_id}",
    "search": "/customers?q={q}",
    "catalogue": "/admin/catalogue",
    "billing": "/customers/{customer_id}/billing",
    "billing-report": "/billing/report",
}


def manifest() -> dict[str, Any]:
    return {"name": "customers", "version": VERSION, "manifest_version": 1,
            "slots": {slot: {"path": path, "timeout_ms": 2500} for slot, path in SLOTS.items()},
            "assets": {"css": ["/static/customers.css"]}}
