"""The TicketStore port over graph_store: tickets live in the graph; legacy ones migrate on first read.
Records become Ticket aggregates here, and a Ticket's pending changes become graph updates."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from graph_store import GraphStore

from ..domain.ticket import Ticket


class GraphTicketStore:
    def __init__(self, store: GraphStore):
        self.graph = store

    def create(self, *, customer_id: int, contract_id: int, product_id: int, locale_id: int, description: str,
               slots: list[str], channel: str, actor: str, now: dt.datetime,
               raise_key: str | None = None) -> Ticket:
        return Ticket.from_record(self.graph.tickets.create_and_read(
            customer_id=customer_id, contract_id=contract_id, product_id=product_id, locale_id=locale_id,
            description=description, slots=slots, channel=channel, actor=actor, now=now, raise_key=raise_key))

    def get(self, ticket_id: int, admit: Callable[[Ticket], bool] | None = None) -> Ticket:
        check = (lambda record: admit(Ticket.from_record(record))) if admit else None
        return Ticket.from_record(self.graph.get_ticket(ticket_id, admit=check))

    def bind_legacy_commitments(self, *, slots: list[str] = (), expert_id: int | None = None) -> int:
        return self.graph.bind_legacy_commitments(slots=slots, expert_id=expert_id)

    def save(self, ticket: Ticket, now: dt.datetime) -> int:
        # The use cases read (and so migrate) a ticket before changing it; one not in the graph is
        # TicketNotFound here, never a write to the legacy copy.
        while ticket.pending:
            change = ticket.pending[0]
            ticket.revision = self.graph.tickets.update(
                ticket.id, changes=change.fields, actor=change.actor, action=change.action, detail=change.detail,
                now=now, expected_revision=change.expected_revision)
            ticket.pending.pop(0)
        return ticket.revision

    def list(self, *, customer_id: int | None = None, expert_id: int | None = None,
             statuses: list[str] | None = None, limit: int = 100, summary: bool = False) -> list[Ticket]:
        return [Ticket.from_record(t) for t in self.graph.tickets.list(
            customer_id=customer_id, expert_id=expert_id, statuses=statuses, limit=limit, summary=summary)]

    def customer_version(self, customer_id: int) -> tuple:
        return self.graph.tickets.customer_version(customer_id)

    def candidates(self, *, product_id: int, locale_id: int, slots: list[dt.datetime], now: dt.datetime,
                   exclude: list[int]) -> list[dict[str, Any]]:
        return self.graph.assignment.candidates(product_id=product_id, locale_id=locale_id, slots=slots, now=now,
                                                exclude=exclude)

    def offer(self, *, ticket_id: int, expert_id: int, starts_at: str, now: dt.datetime,
              expires_at: dt.datetime) -> None:
        self.graph.assignment.offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=starts_at, now=now,
                                    expires_at=expires_at)

    def close_offer(self, *, ticket_id: int, expert_id: int, starts_at: str, outcome: str, actor: str,
                    now: dt.datetime, reason: str = "") -> bool:
        return self.graph.assignment.close_offer(ticket_id=ticket_id, expert_id=expert_id, starts_at=starts_at,
                                                 outcome=outcome, actor=actor, now=now, reason=reason)

    def due_offers(self, now: dt.datetime, limit: int = 100) -> list[dict[str, Any]]:
        return self.graph.assignment.due_offers(now, limit)

    def release_bookings(self, *, expert_id: int, ticket_id: int) -> bool:
        return self.graph.assignment.release_bookings(expert_id=expert_id, ticket_id=ticket_id)

    def waiting_tickets(self, limit: int = 1000) -> list[int]:
        return self.graph.tickets.waiting(limit)

    def needing_follow_up(self, created_before: dt.datetime, limit: int = 100) -> list[int]:
        return self.graph.tickets.needing_follow_up(created_before, limit)

    def expert_names(self, expert_ids: list[int]) -> dict[int, str]:
        return self.graph.experts.names(expert_ids)

    def link_article(self, ticket_id: int, article_id: int, title: str, *, actor: str, now: dt.datetime) -> None:
        self.graph.article(article_id)  # the knowledge base's copy: a legacy article is migrated first
        self.graph.tickets.link_article(ticket_id, article_id, title, actor=actor, now=now)

    def articles(self, ticket_id: int) -> list[dict[str, Any]]:
        return self.graph.tickets.articles(ticket_id)

    def record_survey(self, *, ticket_id: int, expert_id: int, customer_id: int, score: int, comment: str,
                      now: dt.datetime) -> bool:
        return self.graph.surveys.record(ticket_id=ticket_id, expert_id=expert_id, customer_id=customer_id,
                                         score=score, comment=comment, now=now)

    def find_survey(self, ticket_id: int) -> dict[str, Any] | None:
        return self.graph.surveys.find(ticket_id)
