"""The composition root: the reports fragment's use cases built from their ports."""
from __future__ import annotations

import datetime as dt

from foundation.config import Settings
from foundation.tokens import TokenSigner
from fragments.customers.published.reader_v1 import CustomerReader, CustomersApi, MonolithCustomerReader, installed_reader
from graph_store import GraphConnection

from .adapters.catalogue import PublishedCatalogue, PublishedTerms
from .adapters.whole_business import WholeBusinessSource
from .services.kept_screens import KeptScreens
from .services.ports import Catalogue, Clock, PlanTerms, ReportSource
from .services.reports import Reports


def build(source: ReportSource, catalogue: Catalogue, terms: PlanTerms, clock: Clock = dt.datetime.now,
          kept: KeptScreens | None = None) -> Reports:
    return Reports(source, catalogue, clock, terms, kept=kept)


def customers_reader(graph: GraphConnection, settings: Settings) -> CustomerReader | MonolithCustomerReader:
    """The customers service's reader, asking its API (as `reports`) for a customer not copied yet: which plan
    a ticket's contract holds decides what it promised."""
    signer = TokenSigner.from_folder(settings.signing_folder("reports"), "reports")
    return installed_reader(graph.backend, CustomersApi(settings.customers_url, signer.service_token("fragment:customers")),
                            graph.bridge, "customers" in dict(settings.fragments))


def on_graph(graph: GraphConnection, settings: Settings) -> Reports:
    """The production set: rows from the graph and, for tickets not yet migrated, from the legacy system
    through the bridge; names, plans and their terms from the customers service."""
    reader = customers_reader(graph, settings)
    return build(WholeBusinessSource(graph.backend, graph.bridge), PublishedCatalogue(reader), PublishedTerms(reader))
