"""Where the knowledge service is not installed: the monolith's own KB search through the bridge
(what iteration 1 showed), in the knowledge port's shape."""
from __future__ import annotations

import re
from typing import Any

from bridge_client import BridgeClient, BridgeError, NotFound, split_body
from foundation.tokens import Principal

from ..services.ports import KnowledgeError

STOP_WORDS = {"the", "and", "with", "after", "does", "not", "when", "this", "that", "from", "have", "will",
              "stopped", "working", "there", "into", "then", "every", "again"}


def keywords(text: str, limit: int = 6) -> str:
    """Iteration 1's query for a ticket: its first words of four letters or more, once each."""
    words = [w for w in re.findall(r"[a-zA-Z]{4,}", text.lower()) if w not in STOP_WORDS]
    return " ".join(list(dict.fromkeys(words))[:limit])


class LegacyKnowledge:
    def __init__(self, bridge: BridgeClient):
        self.bridge = bridge

    def acting_as(self, _principal: Principal) -> "LegacyKnowledge":
        return self

    def for_ticket(self, product_id: int, description: str, exclude: set[int], limit: int) -> list[dict[str, Any]]:
        try:
            found = self.bridge.search_articles(q=keywords(description), product_id=product_id,
                                                limit=limit + len(exclude))
        except BridgeError as exc:
            raise KnowledgeError(str(exc), exc.status or 503) from exc
        return [{"id": a["id"], "title": a["title"], "product_id": a.get("product_id"), "why": "legacy search"}
                for a in found if a["id"] not in exclude][:limit]

    def article(self, article_id: int) -> dict[str, Any]:
        try:
            found = self.bridge.get_article(article_id)
        except NotFound as exc:
            raise KnowledgeError(str(exc), 404) from exc
        except BridgeError as exc:
            raise KnowledgeError(str(exc), exc.status or 503) from exc
        symptoms, steps = split_body(found.get("body") or "")  # as the migration reads a legacy body
        return {**found, "symptoms": symptoms, "steps": steps.splitlines()}
