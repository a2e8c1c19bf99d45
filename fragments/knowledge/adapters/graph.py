"""The articles port over the graph store: reads migrate a legacy article on first sight, and the
store's errors become the port's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from graph_store import ArticleNotFound, GraphStore, MigrationUnavailable, StaleTicket

from ..services.ports import ArticleChanged, ArticleMissing


class GraphArticles:
    """The graph store's ArticleStore, with `get` through the migrate-on-read path."""

    def __init__(self, graph: GraphStore):
        self.graph = graph
        self.store = graph.articles

    def __getattr__(self, name: str) -> Any:  # many, for_products, text_matches, fixes, create, proposal, ...
        return getattr(self.store, name)

    def bring(self, article_ids: list[int]) -> list[dict[str, Any]]:
        try:
            return self.graph.articles_for(article_ids)
        except MigrationUnavailable:  # the monolith went away meanwhile: what the graph has
            return self.store.many(article_ids)

    def get(self, article_id: int) -> dict[str, Any]:
        try:
            return self.graph.article(article_id)
        except ArticleNotFound as exc:
            raise ArticleMissing(str(exc)) from exc

    def publish(self, article_id: int, content: dict[str, Any], *, expected_version: int, by: str,
                now: dt.datetime, proposal: str | None = None) -> int:
        try:
            return self.store.publish(article_id, content, expected_version=expected_version, by=by, now=now,
                                      proposal=proposal)
        except ArticleNotFound as exc:
            raise ArticleMissing(str(exc)) from exc
        except StaleTicket as exc:
            raise ArticleChanged(str(exc)) from exc

    def propose(self, article_id: int | None, content: dict[str, Any], *, base_version: int, by: str, note: str,
                now: dt.datetime) -> str:
        try:
            return self.store.propose(article_id, content, base_version=base_version, by=by, note=note, now=now)
        except ArticleNotFound as exc:
            raise ArticleMissing(str(exc)) from exc
