"""The knowledge service's published articles_v1, on both backends: a ticket's link to an article the
knowledge base wrote, or to one it has not taken over yet, and the counts of migration progress."""
from __future__ import annotations

import datetime as dt

from fragments.knowledge.adapters.articles import GraphArticles
from fragments.knowledge.published import articles_v1
from fragments.ticketing.adapters.tickets import GraphTickets
from tests.support.fake_bridge import FakeBridgeClient

NOW = dt.datetime(2026, 11, 25, 10, 0)


def test_a_ticket_links_an_article_the_knowledge_base_wrote_or_has_not_taken_over_yet(graph_backend):
    articles = GraphArticles(graph_backend, FakeBridgeClient())
    tickets = GraphTickets(graph_backend, FakeBridgeClient())
    written = articles.create({"title": "Reset the fuser", "product_id": 5, "symptoms": "jams", "steps": "1. Reset",
                               "tags": [], "keywords": []}, by="admin", now=NOW)
    ticket = tickets.create(customer_id=7, contract_id=70, product_id=5, locale_id=2, description="Printer jams",
                            slots=[], channel="phone", actor="cc", now=NOW)
    tickets.link_article(ticket.id, written, "Reset the fuser", actor="expert1", now=NOW)
    tickets.link_article(ticket.id, 31, "Legacy article 31", actor="expert1", now=NOW)  # not moved yet: a bare node
    assert [(a["id"], a["title"]) for a in tickets.articles(ticket.id)] == [(31, "Legacy article 31"),
                                                                           (written, "Reset the fuser")]
    assert articles.find(31) is None  # the bare node is no article of the knowledge base's until it moves
    assert articles_v1.title(graph_backend, written) == "Reset the fuser"
    assert articles_v1.title(graph_backend, 31) is None  # not the knowledge base's (yet): ask the monolith
    assert articles_v1.counts(graph_backend) == {"migrated": 0, "new": 1, "behind_legacy": 1, "open_proposals": 0}
