"""The TicketStore port over graph_store: tickets live in the graph; legacy ones migrate on first read."""
from __future__ import annotations

import datetime as dt
from typing import Any

from graph_store import GraphStore


class GraphTicketStore:
    def __init__(self, store: GraphStore):
        self.graph = store

    def create(self, **fields) -> int:
        return self.graph.tickets.create(**fields)

    def get(self, ticket_id: int) -> dict[str, Any]:
        return self.graph.get_ticket(ticket_id)

    def update(self, ticket_id: int, **kwargs) -> int:
        # The use cases read (and so migrate) a ticket before changing it; one not in the graph is
        # TicketNotFound here, never a write to the legacy copy.
        return self.graph.tickets.update(ticket_id, **kwargs)

    def list(self, **filters) -> list[dict[str, Any]]:
        return self.graph.tickets.list(**filters)

    def candidates(self, **query) -> list[dict[str, Any]]:
        return self.graph.assignment.candidates(**query)

    def offer(self, **offer) -> None:
        self.graph.assignment.offer(**offer)

    def close_offer(self, **close) -> bool:
        return self.graph.assignment.close_offer(**close)

    def due_offers(self, now: dt.datetime, limit: int = 100) -> list[dict[str, Any]]:
        return self.graph.assignment.due_offers(now, limit)

    def release_booking(self, **booking) -> bool:
        return self.graph.assignment.release_booking(**booking)

    def needing_follow_up(self, created_before: dt.datetime, limit: int = 100) -> list[int]:
        return self.graph.tickets.needing_follow_up(created_before, limit)

    def expert_names(self, expert_ids: list[int]) -> dict[int, str]:
        return self.graph.experts.names(expert_ids)

    def link_article(self, ticket_id: int, article_id: int, title: str, *, actor: str, now: dt.datetime) -> None:
        self.graph.tickets.link_article(ticket_id, article_id, title, actor=actor, now=now)

    def articles(self, ticket_id: int) -> list[dict[str, Any]]:
        return self.graph.tickets.articles(ticket_id)

    def record_survey(self, **answer) -> bool:
        return self.graph.surveys.record(**answer)

    def find_survey(self, ticket_id: int) -> dict[str, Any] | None:
        return self.graph.surveys.find(ticket_id)
