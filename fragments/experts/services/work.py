"""An expert's work: offers and assignments from the ticketing back end, a ticket with what the expert
needs on arrival (customer, product, slot, history, related knowledge-base articles)."""
from __future__ import annotations

import re
from typing import Any

from bridge_client import BridgeError

from ..domain.offers import my_allocation, split_work
from .ports import BridgeClient, Clock, Ticketing

STOP_WORDS = {"the", "and", "with", "after", "does", "not", "when", "this", "that", "from", "have", "will",
              "stopped", "working", "there", "into", "then", "every", "again"}


def keywords(text: str, limit: int = 6) -> str:
    words = [w for w in re.findall(r"[a-zA-Z]{4,}", text.lower()) if w not in STOP_WORDS]
    return " ".join(list(dict.fromkeys(words))[:limit])


class ExpertWork:
    def __init__(self, ticketing: Ticketing, bridge: BridgeClient, clock: Clock, expert_id: int):
        self.ticketing = ticketing
        self.bridge = bridge
        self.clock = clock
        self.expert_id = expert_id

    def overview(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return split_work(self.ticketing.my_tickets(), self.expert_id)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        ticket = self.ticketing.get(ticket_id)
        customer = self.bridge.get_customer(ticket["customer_id"])
        products = {p["id"]: p["name"] for p in self.bridge.products()}
        attached = self.ticketing.articles(ticket_id)
        return {"ticket": ticket, "customer": customer, "product": products.get(ticket["product_id"], ""),
                "offer": my_allocation(ticket, self.expert_id, "offered"),
                "booking": my_allocation(ticket, self.expert_id, "accepted"),
                "attached": attached, "related": self.related_articles(ticket, {a["id"] for a in attached})}

    def related_articles(self, ticket: dict[str, Any], exclude: set[int], limit: int = 5) -> list[dict[str, Any]]:
        """Ranked by the knowledge base's own search: the ticket's product first, then its words."""
        try:
            by_product = self.bridge.search_articles(q=keywords(ticket.get("description", "")),
                                                     product_id=ticket["product_id"], limit=limit + len(exclude))
        except BridgeError:
            return []  # the detail still shows; articles are a help, not a must
        return [a for a in by_product if a["id"] not in exclude][:limit]
