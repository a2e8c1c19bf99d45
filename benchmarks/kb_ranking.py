"""Does the new ranking find the fix? The knowledge service's articles for a ticket against the legacy
KB search experts got in iteration 1, on the same generated tickets whose right article is known.

    .venv/bin/python -m benchmarks.kb_ranking [--cases 600 --history 400 --preset small]

Both rankings run in this run over the same data: a seeded legacy database (an article per product and
known problem, shell_app/demo_data/knowledge.py) served by the monolith over HTTP, and FalkorDB holding
the articles migrated from it. `--history` closed tickets of the same kinds of problem are written to
the graph first with the article their expert attached and the customer's survey score (the right one
four times in five, scored 4-5; another of the product's articles otherwise, scored 1-3): the
"what fixed similar tickets" signal. The evaluation tickets are other tickets (another seed).

Printed per ranking: precision@3 (relevant articles in the top 3 / 3: at most 1/3 here, as each
ticket has one right article), hit@3 (share of tickets with the right article in the top 3), MRR
(mean of 1/rank of the right article, 0 if not in the top 10), and each as a ratio new / legacy.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from foundation.vocabulary import iso
from fragments.experts.adapters.legacy_knowledge import LegacyKnowledge
from fragments.knowledge.services.knowledge import KnowledgeBase
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from shell_app.db import make_engine
from shell_app.demo_data.generator import _products
from shell_app.demo_data.knowledge import ranking_cases
from shell_app.models import Article
from sysops.graph_data import GraphData

from .harness import gunicorn_monolith, median, mint, seeded_sqlite

SECRET = "benchmark-secret"
TOP = 10


def measures(ranked_ids: list[list[int]], cases: list[dict[str, Any]]) -> dict[str, float]:
    ranks = [ids.index(c["article_id"]) + 1 if c["article_id"] in ids else None for ids, c in zip(ranked_ids, cases)]
    n = len(cases)
    return {"precision@3": sum(1 for r in ranks if r and r <= 3) / (3 * n),
            "hit@3": sum(1 for r in ranks if r and r <= 3) / n,
            "MRR": sum(1 / r for r in ranks if r) / n}


def timed(rank: Callable[[dict[str, Any]], list[int]], cases: list[dict[str, Any]]) -> tuple[list[list[int]], float]:
    results, took = [], []
    for case in cases:
        started = time.perf_counter()
        results.append(rank(case))
        took.append((time.perf_counter() - started) * 1000)
    return results, median(took)


def write_history(store: GraphData, cases: list[dict[str, Any]], articles_of: dict[int, list[int]],
                  seed: int) -> None:
    """Closed tickets with the article their expert attached and the survey's score."""
    rng = random.Random(seed)
    rows = []
    for case in cases:
        right = rng.random() < 0.8
        others = [a for a in articles_of[case["product_id"]] if a != case["article_id"]] or [case["article_id"]]
        rows.append({"id": 900_000_000 + case["n"], "product_id": case["product_id"], "description": case["description"],
                     "article_id": case["article_id"] if right else rng.choice(others),
                     "score": rng.choice([4, 5]) if right else rng.choice([1, 2, 3]),
                     "at": iso(dt.datetime(2026, 10, 1) + dt.timedelta(hours=case["n"]))})
    store.backend.write(
        "UNWIND $rows AS r MATCH (a:Article {id: r.article_id}) "
        "CREATE (t:Ticket {id: r.id, product_id: r.product_id, status: 'closed', closed_at: r.at, source: 'bench', "
        "                  description: r.description}) "
        "CREATE (t)-[:REFERENCES]->(a) "
        "CREATE (:Survey {ticket_id: r.id, score: r.score, source: 'bench'})-[:REGARDING]->(t)", {"rows": rows})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600, help="evaluation tickets (at least 500 for the figures)")
    parser.add_argument("--history", type=int, default=400, help="closed tickets with an attached article")
    parser.add_argument("--preset", default="small")
    parser.add_argument("--show-misses", type=int, default=0, help="print N tickets the new ranking got wrong")
    args = parser.parse_args()

    url = seeded_sqlite(args.preset)
    engine = make_engine(url)
    with engine.connect() as conn:
        article_rows = [dict(row._mapping) for row in conn.execute(Article.__table__.select())]
    engine.dispose()
    products, _ = _products()
    cases = ranking_cases(2026, products, article_rows, args.cases)
    history = ranking_cases(7, products, article_rows, args.history)
    articles_of: dict[int, list[int]] = {}
    for a in article_rows:
        articles_of.setdefault(a["product_id"], []).append(a["id"])

    folder = Path(tempfile.mkdtemp(prefix="sysops-kb-bench-"))
    server = FalkorServer(folder / "graph")
    process = server.spawn()
    server.wait_ready(process)
    with gunicorn_monolith(url, SECRET) as base:
        bridge = HttpBridgeClient(base, lambda: mint(Principal("service", "knowledge"), "bridge"))
        store = GraphData(FalkorBackend(unix_socket_path=str(server.socket_path)), bridge)
        try:
            store.ensure_schema()
            migrated = store.articles.migration.migrate_batch([a["id"] for a in article_rows], via="backfill")
            write_history(store, history, articles_of, seed=11)
            kb = KnowledgeBase(store.articles, bridge, bridge, dt.datetime.now)
            legacy = LegacyKnowledge(bridge)
            new_ids, new_ms = timed(lambda c: [r.article["id"] for r in kb.for_ticket(
                c["product_id"], c["description"], limit=TOP)], cases)
            old_ids, old_ms = timed(lambda c: [a["id"] for a in legacy.for_ticket(
                c["product_id"], c["description"], set(), TOP)], cases)
            no_fix = KnowledgeBase(store.articles, bridge, bridge, dt.datetime.now)
            no_fix.articles = _WithoutFixes(store.articles)
            plain_ids, _ = timed(lambda c: [r.article["id"] for r in no_fix.for_ticket(
                c["product_id"], c["description"], limit=TOP)], cases)
        finally:
            bridge.close()
            store.close()
            process.terminate()
            process.wait(15)

    new, old, plain = measures(new_ids, cases), measures(old_ids, cases), measures(plain_ids, cases)
    titles = {a["id"]: a["title"] for a in article_rows}
    misses = [(c, ids) for c, ids in zip(cases, new_ids) if ids[:1] != [c["article_id"]]]
    for case, ids in misses[:args.show_misses]:
        print(f"miss: {case['description']!r} -> right {titles[case['article_id']]!r}, "
              f"new top 3 {[titles.get(i, i) for i in ids[:3]]}")
    print(f"Knowledge-base ranking: {len(cases)} generated tickets with a known right article, {len(article_rows)} "
          f"articles ({migrated} migrated into FalkorDB), {len(history)} closed tickets with attached articles")
    print(f"{'measure':<12} {'legacy search':>14} {'new ranking':>12} {'ratio':>7}   {'new, no past fixes':>18}")
    for name in ("precision@3", "hit@3", "MRR"):
        ratio = new[name] / old[name] if old[name] else float("inf")
        print(f"{name:<12} {old[name]:>14.3f} {new[name]:>12.3f} {ratio:>6.2f}x   {plain[name]:>18.3f}")
    print(f"{'p50 per ticket':<12} {old_ms:>11.1f} ms {new_ms:>9.1f} ms {new_ms / old_ms:>6.2f}x")
    beats = all(new[m] > old[m] for m in ("precision@3", "MRR"))
    print(f"new ranking beats the legacy search on precision@3 and MRR: {'yes' if beats else 'NO'}")
    raise SystemExit(0 if beats else 1)


class _WithoutFixes:
    """The same articles with no past fixes: what the product and text tiers alone achieve."""

    def __init__(self, articles: Any):
        self._articles = articles

    def __getattr__(self, name: str):
        return getattr(self._articles, name)

    def fixes(self, product_id: int) -> list[dict[str, Any]]:
        return []


if __name__ == "__main__":
    main()
