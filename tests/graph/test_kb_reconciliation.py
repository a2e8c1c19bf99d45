"""The knowledge base reconciled by checksum (issue 29), over the real bridge: every legacy article
against what the knowledge service copied or last wrote back. A published edit written back matches;
one still waiting compares against the last written; a row changed behind the freeze is found; a copy
taken before checksums were kept takes the row's once. The test puts its own articles in."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bridge_client import article_checksum
from fragments.knowledge.adapters.articles import GraphArticles, reconcile_articles
from fragments.knowledge.services.knowledge import legacy_row
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Article

from .conftest import own_legacy_system

WRITTEN = dt.datetime(2026, 3, 1, 9, 0)


def add_articles(url: str, count: int) -> list[int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = [Article(title=f"Reconcile me {n}", body=f"Symptom: it hums {n}\n1. Unplug it\n2. Wait a minute",
                            product_id=None, created_at=WRITTEN, updated_at=WRITTEN) for n in range(count)]
            session.add_all(rows)
            session.commit()
            return [row.id for row in rows]
    finally:
        engine.dispose()


def test_articles_reconcile_by_checksum_and_a_row_changed_behind_the_freeze_is_found(falkor_server, fresh_database_url):
    url = fresh_database_url("sqlite")
    with own_legacy_system(falkor_server, url, seed=59, service="knowledge") as (backend, bridge, _):
        mine = add_articles(url, 3)
        articles = GraphArticles(backend, bridge)
        articles.backfill()
        first = reconcile_articles(backend, bridge)
        assert first.ok and first.matching == first.checked and not first.findings

        # A published edit (version 2) written back, as the knowledge service's sync does it.
        edited = {**articles.get(mine[0]), "title": "Reconciled and edited"}
        backend.write("MATCH (a:Article {id: $id}) SET a.title = $title, a.version = 2", {"id": mine[0],
                                                                                       "title": edited["title"]})
        stored = bridge.publish_article(mine[0], legacy_row(edited))
        articles.written_back(mine[0], 2, article_checksum(stored))
        # Another edit not written back yet: the row still shows the last one written.
        backend.write("MATCH (a:Article {id: $id}) SET a.title = 'Waiting', a.version = 2", {"id": mine[1]})
        # A copy taken before checksums were kept.
        backend.write("MATCH (a:Article {id: $id}) REMOVE a.legacy_checksum", {"id": mine[2]})
        second = reconcile_articles(backend, bridge)
        assert second.ok and second.repaired == [mine[2]]
        assert "adopted" in next(f for f in second.findings if f.ticket_id == mine[2]).differences[0]
        assert reconcile_articles(backend, bridge).findings == []  # adopted once, matching since

        engine = make_engine(url)
        try:  # by hand in the database, behind the freeze
            with engine.begin() as conn:
                conn.execute(update(Article).where(Article.id == mine[1]).values(body="Symptom: changed by hand"))
        finally:
            engine.dispose()
        third = reconcile_articles(backend, bridge)
        assert not third.ok and third.mismatched == [mine[1]]
