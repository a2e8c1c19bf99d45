"""What the knowledge base's use cases need: the articles (in the graph, migrated from the monolith
on first read), the product catalogue, and the legacy KB kept current for old readers."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

Clock = Callable[[], dt.datetime]


class ArticleMissing(Exception):
    pass


class LegacyUnavailable(Exception):
    """The article is still in the monolith, which is not answering: nothing was written."""


class ArticleChanged(Exception):
    """Someone published another version since the one the writer started from."""


class Articles(Protocol):
    def get(self, article_id: int) -> dict[str, Any]: ...  # ArticleMissing; migrates a legacy article first
    def many(self, article_ids: list[int]) -> list[dict[str, Any]]: ...  # those already in the graph
    def bring(self, article_ids: list[int]) -> list[dict[str, Any]]: ...  # migrating those not yet there
    def for_products(self, product_ids: list[int]) -> list[dict[str, Any]]: ...
    def text_matches(self, words: list[str], limit: int) -> dict[int, float]: ...
    def fixes(self, product_id: int) -> list[dict[str, Any]]: ...
    def create(self, content: dict[str, Any], *, by: str, now: dt.datetime, proposal: str | None = None) -> int: ...
    def publish(self, article_id: int, content: dict[str, Any], *, expected_version: int, by: str,
                now: dt.datetime, proposal: str | None = None) -> int: ...  # ArticleChanged, ArticleMissing
    def propose(self, article_id: int | None, content: dict[str, Any], *, base_version: int, by: str, note: str,
                now: dt.datetime) -> str: ...
    def proposal(self, key: str) -> dict[str, Any] | None: ...
    def reject(self, key: str, *, by: str, reason: str, now: dt.datetime) -> bool: ...
    def open_proposals(self, limit: int) -> list[dict[str, Any]]: ...
    def versions(self, article_id: int) -> list[dict[str, Any]]: ...
    def behind_legacy(self, limit: int) -> list[dict[str, Any]]: ...
    # `legacy_checksum`: of the legacy row as the monolith stored it (bridge_client.article_checksum).
    def written_back(self, article_id: int, version: int, legacy_checksum: str | None = None) -> None: ...


class Catalogue(Protocol):
    def products(self) -> list[dict[str, Any]]: ...  # id, name, category, manufacturer


class LegacyKB(Protocol):
    """The monolith's KB through the bridge: kept current for old readers, and searched for articles
    not yet copied while the migration runs."""

    def publish_article(self, article_id: int, article: dict[str, Any]) -> dict[str, Any]: ...
    def search_articles(self, q: str = "", product_id: int | None = None, limit: int = 10) -> list[dict[str, Any]]: ...
    def article_stats(self) -> dict[str, int]: ...
