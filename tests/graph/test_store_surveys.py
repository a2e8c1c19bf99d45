"""Surveys in the graph, on both backends: one answer per ticket, the expert's score is their mean."""
from __future__ import annotations

import datetime as dt

from fragments.ticketing.adapters.surveys import GraphSurveys
from fragments.ticketing.adapters.tickets import GraphTickets

NOW = dt.datetime(2026, 11, 25, 10, 0)
V1 = {"template": "post-visit", "version": 1}


def test_one_answer_per_ticket_and_the_score_is_the_mean(graph_backend):
    tickets, surveys = GraphTickets(graph_backend, None), GraphSurveys(graph_backend)
    graph_backend.write("MERGE (:Expert {id: 41}) MERGE (:Expert {id: 42})")
    ids = [tickets.create(customer_id=1, contract_id=1, product_id=1, locale_id=1, description="d", slots=[],
                          channel="web", actor="t", now=NOW).id for _ in range(3)]
    assert surveys.record(ticket_id=ids[0], expert_id=41, customer_id=1, score=5, comment="great", now=NOW, **V1, answers=[])
    assert surveys.record(ticket_id=ids[1], expert_id=41, customer_id=1, score=2, comment="", now=NOW, **V1, answers=[])
    assert not surveys.record(ticket_id=ids[0], expert_id=41, customer_id=1, score=1, comment="again", now=NOW, **V1, answers=[])
    assert surveys.record(ticket_id=ids[2], expert_id=42, customer_id=1, score=4, comment="", now=NOW, **V1, answers=[])
    rows = graph_backend.read("MATCH (x:Expert) RETURN x.id AS id, x.score AS score, x.score_answers AS n ORDER BY id")
    assert [(r["id"], r["score"], r["n"]) for r in rows] == [(41, 3.5, 2), (42, 4.0, 1)]
    assert surveys.find(ids[0])["comment"] == "great" and "token" not in surveys.find(ids[0])
    assert surveys.find(999) is None
    linked = graph_backend.read("MATCH (s:Survey)-[:REGARDING]->(t:Ticket) RETURN count(s) AS n")
    assert linked[0]["n"] == 3
