"""Parts of the monolith a new service takes over record by record (customers with their contracts,
products, plans, locales: docs/adr/0025; login accounts: docs/adr/0032), as the bridge's v1 publishes
them for the handover.

The checksum belongs to the published format: the bridge computes it over a record's content, and
the service that holds the copy computes it again over its own copy, the same way, to reconcile."""
from __future__ import annotations

import hashlib
import json
from typing import Any

KINDS = ("customers", "products", "plans", "locales")  # the customers service's (the catalogue, its customers)
BILLS = "bills"  # the customers service's too: a contract's monthly bills with their payments
ACCOUNTS = "accounts"  # the identity service's
SURVEY_TEMPLATES = "survey-templates"  # the ticketing service's
# What is not content: the migration's own bookkeeping, and the checksum itself.
BOOKKEEPING = ("checksum", "frozen_at", "migrated_at")


def record_checksum(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a record's content (bookkeeping left out)."""
    kept = {k: v for k, v in content.items() if k not in BOOKKEEPING}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
