"""The data-store interface: services ask it for tickets and assignment facts, never for a database.

`GraphStore` is the one object the ticketing, experts and reports services hold. Behind it: a
graph backend (FalkorDB or Bolt/Neo4j) and the bridge client through which legacy tickets are
migrated the first time they are read.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from bridge_client import BridgeClient, Unavailable

from .articles import ArticleNotFound, ArticlePart, ArticleStore
from .assignment import AssignmentStore
from .backends import GraphBackend
from .errors import (
    MigrationUnavailable,
    SlotTaken,
    StaleTicket,
    StoreError,
    TicketNotFound,
)
from .experts import ExpertStore
from .lazy import LazyMigration
from .migration import Migrator
from .progress import migration_progress
from .reconciliation import Reconciliation, compare, last_run, record_run, repair
from .reports import ReportQueries, number_days
from .surveys import SurveyStore
from .tickets import NEW_TICKET_ID_BASE, TicketRepository

__all__ = ["ArticleNotFound", "GraphStore", "MigrationUnavailable", "SlotTaken", "StaleTicket", "StoreError", "TicketNotFound",
           "NEW_TICKET_ID_BASE"]


class GraphStore:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.backend = backend
        self.bridge = bridge
        self.tickets = TicketRepository(backend)
        self.assignment = AssignmentStore(backend)
        self.experts = ExpertStore(backend)
        self.surveys = SurveyStore(backend)
        self.reports = ReportQueries(backend)
        self.migrator = Migrator(backend, bridge)
        self.articles = ArticleStore(backend)
        self.article_migration = LazyMigration(backend, bridge, ArticlePart())

    def ensure_schema(self) -> None:
        """Indexes and constraints, and what older graphs lack (each ticket's report day)."""
        self.backend.ensure_schema()
        number_days(self.backend)

    def get_ticket(self, ticket_id: int, admit: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """The ticket from the graph; a legacy ticket not yet there is migrated first (then the graph is its
        master). With `admit`, a legacy ticket the caller may not see is reported missing and left where it is."""
        ticket = self.tickets.find(ticket_id)
        if ticket is None:
            self.migrator.migrate(ticket_id, via="lazy", admit=admit)
            ticket = self.tickets.get(ticket_id)
        return ticket

    def article(self, article_id: int) -> dict[str, Any]:
        """The article from the graph; a legacy article not yet there is migrated first (then the graph
        is its master, and the legacy row only mirrors what is published here)."""
        article = self.articles.find(article_id)
        if article is None:
            self.article_migration.migrate(article_id, via="lazy")
            article = self.articles.find(article_id)
            if article is None:
                raise ArticleNotFound(f"no article {article_id}")
        return article

    def articles_for(self, article_ids: list[int]) -> list[dict[str, Any]]:
        """Several articles, those not yet in the graph migrated first in one batch; unknown ids left out."""
        found = {a["id"]: a for a in self.articles.many(article_ids)}
        missing = [i for i in dict.fromkeys(article_ids) if i not in found]
        if missing:
            self.article_migration.migrate_batch(missing, via="lazy")
            found.update({a["id"]: a for a in self.articles.many(missing)})
        return [found[i] for i in dict.fromkeys(article_ids) if i in found]

    def backfill_articles(self, batch_size: int = 200) -> tuple[int, int]:
        """Copy every legacy article not yet marked migrated (the KB is small: hundreds). Returns
        (seen, created); safe beside lazy reads and other runs, as every write is create-only."""
        seen = created = 0
        ids = list(self.bridge.article_ids(migrated="false"))
        for start in range(0, len(ids), batch_size):
            batch = ids[start:start + batch_size]
            created += self.article_migration.migrate_batch(batch, via="backfill")
            seen += len(batch)
        return seen, created

    def bind_legacy_commitments(self, *, slots: list[str] = (), expert_id: int | None = None) -> int:
        """Move into the graph, with their bookings, the open legacy tickets that hold one of these slots or
        belong to this expert, so assignment and My work see them (docs/adr/0011). Returns how many moved."""
        try:
            ids = self.bridge.legacy_commitments(slots=list(slots), expert_id=expert_id)
        except Unavailable as exc:
            raise MigrationUnavailable(f"legacy system unavailable: {exc}") from exc
        return self.migrator.migrate_batch(ids, via="commitment") if ids else 0

    def last_reconciliation(self) -> dict[str, Any] | None:
        return last_run(self.backend)

    def progress(self) -> dict[str, Any]:
        return migration_progress(self.backend, self.bridge)

    def reconcile(self, now: dt.datetime | None = None) -> Reconciliation:
        """Compare every legacy ticket with the copy the graph took, make the safe repairs, say what
        needs a person (graph_store/reconciliation.py), and record the run for the reports."""
        result = compare(self.backend, self.bridge)
        repair(result, self.backend, self.bridge, self.migrator, self.tickets.get)
        record_run(self.backend, result, now or dt.datetime.now())
        return result

    def close(self) -> None:
        self.backend.close()
