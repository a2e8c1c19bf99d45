"""`sysops cutover PART` / `rollback PART` through the real CLI for the parts issue 29 moves (surveys,
billing, the knowledge base), with `sysops parts` saying where each stands: cut over once copied and
reconciled to nothing; a rollback refused without --yes, refused when it would lose what was made here
(a bill issued, a proposal waiting), and otherwise given back. Real monolith, real FalkorDB."""
from __future__ import annotations

import json

from fragments.customers.adapters.bills import GraphBills
from fragments.knowledge.adapters.articles import GraphArticles

from .conftest import own_legacy_system
from .test_cutover_rollback import sysops


def states(base, socket, graph, url) -> dict[str, dict]:
    shown = sysops(base, socket, graph, "parts", "--json", database_url=url)
    assert shown.returncode == 0, shown.stderr
    return {part["name"]: part for part in json.loads(shown.stdout)}


def test_surveys_billing_and_the_knowledge_base_cut_over_and_back(falkor_server, fresh_database_url):
    url = fresh_database_url("sqlite")
    with own_legacy_system(falkor_server, url, seed=61, service="backfill") as (backend, bridge, base):
        graph, socket = backend.graph_name, falkor_server.socket_path
        assert {p["state"] for p in states(base, socket, graph, url).values()} == {"in the monolith"}
        for part in ("surveys", "billing", "knowledge"):
            done = sysops(base, socket, graph, "cutover", part)
            assert done.returncode == 0, (part, done.stdout, done.stderr)
        now = states(base, socket, graph, url)
        assert [now[name]["state"] for name in ("surveys", "billing", "knowledge base")] == ["cut over"] * 3
        assert now["billing"]["left"] == 0 and now["billing"]["findings"] == 0

        asked = sysops(base, socket, graph, "rollback", "billing")
        assert asked.returncode == 2 and "--yes" in asked.stdout
        some_bill = backend.read("MATCH (b:Bill) RETURN b.key AS key LIMIT 1")[0]["key"]
        GraphBills(backend).add_payment(some_bill, {"key": "made-here", "amount_cents": 1, "paid_at": "2026-12-01T09:00:00",
                                                    "method": "card", "gateway_ref": "ch_1", "by": "test",
                                                    "source": "new"})
        refused = sysops(base, socket, graph, "rollback", "billing", "--yes")
        assert refused.returncode == 1 and "1 payments taken" in refused.stdout
        assert states(base, socket, graph, url)["billing"]["state"] == "cut over"  # nothing changed
        backend.write("MATCH (p:Payment {key: 'made-here'}) MATCH (b:Bill {key: $key}) "
                      "SET b.paid_cents = b.paid_cents - 1 DETACH DELETE p", {"key": some_bill})
        given = sysops(base, socket, graph, "rollback", "billing", "--yes")
        assert given.returncode == 0, given.stdout
        assert backend.read("MATCH (b:Bill) RETURN count(b) AS n")[0]["n"] == 0
        assert states(base, socket, graph, url)["billing"]["state"] == "in the monolith"

        assert sysops(base, socket, graph, "rollback", "surveys", "--yes").returncode == 0
        assert states(base, socket, graph, url)["surveys"]["state"] == "in the monolith"

        article = backend.read("MATCH (a:Article) WHERE a.source IS NOT NULL RETURN a.id AS id LIMIT 1")[0]["id"]
        backend.write("MATCH (a:Article {id: $id}) SET a.version = a.version + 1", {"id": article})  # not written back
        waiting = sysops(base, socket, graph, "rollback", "knowledge", "--yes")
        assert waiting.returncode == 1 and "wait for their write-back" in waiting.stdout
        backend.write("MATCH (a:Article {id: $id}) SET a.version = a.version - 1", {"id": article})
        back = sysops(base, socket, graph, "rollback", "kb", "--yes")
        assert back.returncode == 0, back.stdout
        assert states(base, socket, graph, url)["knowledge base"]["state"] == "in the monolith"
        copy = GraphArticles(backend, bridge).get(article)  # a link's read copies it afresh
        assert copy["id"] == article and bridge.article_stats()["migrated"] >= 1
