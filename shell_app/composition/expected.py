"""The manifests this shell was built against. Used only while a fragment's live manifest cannot be
read (it is down), so the page still knows where each slot lives and can show its fallback."""
from __future__ import annotations

from typing import Any

BUILT_WITH: dict[str, dict[str, Any]] = {
    "ticketing": {
        "name": "ticketing", "version": "1.1.0", "manifest_version": 1,
        "slots": {
            "customer-tickets": {"path": "/customers/{customer_id}/tickets",
                                 "fallback": "This customer's tickets cannot be shown right now."},
            "raise-ticket": {"path": "/customers/{customer_id}/tickets/new",
                             "fallback": "Tickets cannot be raised right now."},
            "ticket-list": {"path": "/tickets", "fallback": "The ticket list cannot be shown right now."},
            "ticket-detail": {"path": "/tickets/{ticket_id}", "fallback": "This ticket cannot be shown right now."},
            "queue": {"path": "/queue", "fallback": "The unassigned and overdue queue cannot be shown right now."},
        },
        "assets": {"css": ["/static/ticketing.css"]},
    },
    "experts": {
        "name": "experts", "version": "1.0.0", "manifest_version": 1,
        "slots": {"home": {"path": "/", "fallback": "Your offers and assignments cannot be shown right now."},
                  "ticket": {"path": "/tickets/{ticket_id}", "fallback": "This ticket cannot be shown right now."},
                  "profile": {"path": "/profile", "fallback": "Your profile cannot be shown right now."}},
        "assets": {"css": ["/static/experts.css"], "js": ["/static/experts.js"]},
    },
    "reports": {
        "name": "reports", "version": "1.0.0", "manifest_version": 1,
        "slots": {"dashboard": {"path": "/", "fallback": "Reports cannot be shown right now.", "timeout_ms": 8000}},
        "assets": {"css": ["/static/reports.css"]},
    },
    "knowledge": {
        "name": "knowledge", "version": "1.0.0", "manifest_version": 1,
        "slots": {"search": {"path": "/search?q={q}", "fallback": "The knowledge base cannot be searched right now."},
                  "article": {"path": "/articles/{article_id}", "fallback": "This article cannot be shown right now."},
                  "proposals": {"path": "/proposals",
                                "fallback": "Proposed article changes cannot be shown right now."}},
        "assets": {"css": ["/static/knowledge.css"]},
    },
}
