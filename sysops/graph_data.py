"""Every service's data code over one graph connection: what the operator's commands (schema, backfill,
cut-over, reconciliation, rollback) work with. Only the composition root puts the services' data code
together like this; each service in its own process holds only its own (fragments/<name>/wiring.py)."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bridge_client import BridgeClient
from fragments.customers.adapters.bills import take_legacy_bills
from fragments.customers.adapters.customers import GraphCatalogue, GraphCustomers
from fragments.customers.adapters.schema import SCHEMA as CUSTOMERS
from fragments.experts.adapters.profiles import GraphProfiles
from fragments.experts.adapters.schema import SCHEMA as EXPERTS
from fragments.identity.adapters.schema import SCHEMA as IDENTITY
from fragments.knowledge.adapters.articles import GraphArticles
from fragments.knowledge.adapters.schema import SCHEMA as KNOWLEDGE
from fragments.notifications.adapters.schema import SCHEMA as NOTIFICATIONS
from fragments.reports.adapters.graph import GraphReportSource
from fragments.reports.adapters.progress import migration_progress
from fragments.reports.adapters.schema import SCHEMA as REPORTS
from fragments.ticketing.adapters.offers import GraphOffers
from fragments.ticketing.adapters.reconciliation import reconcile
from fragments.ticketing.adapters.schema import SCHEMA as TICKETING
from fragments.ticketing.adapters.survey_templates import take_legacy_templates
from fragments.ticketing.adapters.surveys import GraphSurveys
from fragments.ticketing.adapters.tickets import GraphTickets
from fragments.ticketing.published.tickets_v1 import number_days
from graph_store import GraphConnection
from graph_store.backends import GraphBackend, GraphUnavailable
from graph_store.reconciliation import Reconciliation, last_run
from graph_store.schema import PROTOCOL

# The whole graph's schema: the union of what each service declares beside its queries.
SCHEMA = PROTOCOL + TICKETING + EXPERTS + KNOWLEDGE + REPORTS + NOTIFICATIONS + CUSTOMERS + IDENTITY


class GraphData:
    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.backend = backend
        self.bridge = bridge
        self.tickets = GraphTickets(backend, bridge)
        self.offers = GraphOffers(backend)
        self.surveys = GraphSurveys(backend, bridge)
        self.experts = GraphProfiles(backend)
        self.articles = GraphArticles(backend, bridge)
        self.reports = GraphReportSource(backend, bridge)
        self.customers = GraphCustomers(backend, bridge)
        self.catalogue = GraphCatalogue(backend, bridge)

    @classmethod
    def over(cls, graph: GraphConnection) -> GraphData:
        return cls(graph.backend, graph.bridge)

    def ensure_schema(self, attempts: int = 3) -> None:
        """Indexes and constraints, and what older graphs lack (each ticket's report day). Idempotent, so
        a graph too busy to answer in time (a snapshot being written on a loaded machine) is asked again."""
        for attempt in range(attempts):
            try:
                self.backend.ensure_schema(SCHEMA)
                break
            except GraphUnavailable:
                if attempt + 1 == attempts:
                    raise
                time.sleep(2.0 * (attempt + 1))
        number_days(self.backend)

    def take_customers(self) -> tuple[int, int]:
        """The catalogue, then every customer not yet copied, then their bills with their payments, into
        the customers service's care (resumable, create-only beside lazy reads). Returns (catalogue
        records, customers) copied by this call."""
        copied = self.catalogue.copy_all(), self.customers.backfill().migrated
        take_legacy_bills(self.backend, self.bridge)
        return copied

    def take_survey_templates(self) -> int:
        """The monolith's survey templates not yet copied into the ticketing service's care (resumable,
        create-only beside first reads): the questions its surveys were sent with. Returns how many."""
        return take_legacy_templates(self.backend, self.bridge)

    def import_experts(self, today: dt.date | None = None) -> int:
        """Expert profiles imported once from the monolith (then the graph is their master)."""
        return self.experts.import_all(self.bridge, today or dt.date.today())

    def get_ticket(self, ticket_id: int) -> dict[str, Any]:
        """The stored ticket, a legacy one moved in first."""
        self.tickets.get(ticket_id)
        return self.tickets.record(ticket_id)

    def reconcile(self, now: dt.datetime | None = None) -> Reconciliation:
        return reconcile(self.tickets, now)

    def last_reconciliation(self) -> dict[str, Any] | None:
        return last_run(self.backend)

    def progress(self) -> dict[str, Any]:
        return migration_progress(self.backend, self.bridge)

    def close(self) -> None:
        self.backend.close()
