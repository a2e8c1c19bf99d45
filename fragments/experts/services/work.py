"""An expert's work: offers and assignments from the ticketing back end, a ticket with what the expert
needs on arrival (customer, product, slot, history, the knowledge base's articles for it)."""
from __future__ import annotations

from typing import Any

from foundation.vocabulary import AllocationState

from ..domain.offers import Day, my_allocation, plan_day, split_work, summary
from .ports import Clock, CustomersUnavailable, Directory, Knowledge, KnowledgeError, Ticketing

RELATED = 5


class ExpertWork:
    def __init__(self, ticketing: Ticketing, knowledge: Knowledge, directory: Directory, clock: Clock,
                 expert_id: int):
        self.ticketing = ticketing
        self.knowledge = knowledge
        self.directory = directory
        self.clock = clock
        self.expert_id = expert_id

    def _products(self) -> dict[int, str]:
        try:
            return {p["id"]: p["name"] for p in self.directory.products()}
        except CustomersUnavailable:
            return {}

    def overview(self, assigned_too: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Offers and assignments (only offers for the offers list's refresh), each with what the expert
        judges an offer by before answering: product, problem in short, town and postcode."""
        offers, assigned = split_work(self.ticketing.my_tickets(), self.expert_id)
        if not assigned_too:
            assigned = []
        products = self._products()
        places: dict[int, dict[str, str]] = {}
        for ticket in offers + assigned:
            customer_id = ticket["customer_id"]
            if customer_id not in places:
                try:
                    customer = self.directory.get_customer(customer_id)
                    places[customer_id] = {"town": customer.get("city") or "", "postcode": customer.get("postcode") or "",
                                           "street": customer.get("address_line") or ""}
                except CustomersUnavailable:
                    places[customer_id] = {"town": "", "postcode": "", "street": ""}
            ticket.update(product=products.get(ticket["product_id"], ""), summary=summary(ticket.get("description")),
                          **places[customer_id])
        return offers, assigned

    def day(self) -> tuple[list[dict[str, Any]], Day]:
        """Offers, and the booked visits as the day's plan: today's in order, the days after, and those
        whose slot has ended without the ticket being closed (a legacy visit long past among them)."""
        offers, assigned = self.overview()
        return offers, plan_day(assigned, self.clock())

    def on_my_way(self, ticket_id: int) -> dict[str, Any]:
        return self.ticketing.on_my_way(ticket_id)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        ticket = self.ticketing.get(ticket_id)
        try:
            customer = self.directory.get_customer(ticket["customer_id"])
        except CustomersUnavailable:  # the ticket still shows; the customer's card says it cannot
            customer = {"unavailable": True}
        attached = self.ticketing.articles(ticket_id)
        return {"ticket": ticket, "customer": customer, "product": self._products().get(ticket["product_id"], ""),
                "offer": my_allocation(ticket, self.expert_id, AllocationState.OFFERED),
                "booking": my_allocation(ticket, self.expert_id, AllocationState.ACCEPTED),
                "attached": attached, "related": self.related_articles(ticket, {a["id"] for a in attached})}

    def related_articles(self, ticket: dict[str, Any], exclude: set[int]) -> list[dict[str, Any]]:
        """The knowledge base's best articles for this ticket: its product first, then its words, then
        what fixed similar tickets."""
        try:
            return self.knowledge.for_ticket(ticket["product_id"], ticket.get("description", ""), exclude, RELATED)
        except KnowledgeError:
            return []  # the detail still shows; articles are a help, not a must

    def article(self, ticket_id: int, article_id: int) -> dict[str, Any]:
        """An article to read on site, with the ticket it is read for (the expert's own ticket only)."""
        ticket = self.ticketing.get(ticket_id)
        article = self.knowledge.article(article_id)
        attached = {a["id"] for a in self.ticketing.articles(ticket_id)}
        return {"ticket": ticket, "article": article, "product": self._products().get(ticket["product_id"], ""),
                "booking": my_allocation(ticket, self.expert_id, AllocationState.ACCEPTED), "attached": article_id in attached}
