"""Articles as other services may read them, version 1.

The knowledge service owns Article, ArticleVersion, Tag and Keyword nodes. Ticketing links a ticket to
an article (its own REFERENCES relationship) and may create a bare `Article {id, title}` for a legacy
article the knowledge base has not taken over yet: the knowledge base's migration fills such a node in
(`source` is unset until it does). What others may read of an article is `LINKED`. A change that breaks
a reader is an `articles_v2` beside this one. The contract: tests/graph/test_published_articles.py.

This module imports nothing of the knowledge service, so a reader deploys it without the service.
"""
from __future__ import annotations

from typing import Any, Protocol

VERSION = 1

# An article bound to `a`, as a ticket's list of attached articles shows it.
LINKED = "a {.id, .title, .product_id, .version} AS article"

# Links the ticket bound to `t` to article $article_id, creating a bare node if the knowledge base has
# not taken the article over yet (it fills it in then).
LINK = """
MERGE (a:Article {id: $article_id})
ON CREATE SET a.title = $title
MERGE (t)-[:REFERENCES]->(a)
"""


# The title of article $id if the knowledge base holds it (taken over or written there); no row if not.
TITLE = "MATCH (a:Article {id: $id}) WHERE a.source IS NOT NULL RETURN a.title AS title"


class Reader(Protocol):
    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]: ...


def title(db: Reader, article_id: int) -> str | None:
    """The article's current title if the knowledge base holds it, else None (a legacy article it has not
    taken over yet, or no article at all)."""
    rows = db.read(TITLE, {"id": article_id})
    return str(rows[0]["title"]) if rows else None


def counts(db: Reader) -> dict[str, int]:
    """Articles taken over from the monolith, written here, published versions the legacy KB does not
    show yet, and proposals waiting for an admin (migration progress)."""
    rows = db.read("MATCH (a:Article) WHERE a.source IS NOT NULL "
                   "RETURN a.source AS source, count(a) AS n, "
                   "sum(CASE WHEN a.legacy_version < a.version THEN 1 ELSE 0 END) AS behind")
    by_source = {row["source"]: row for row in rows}
    proposals = db.read("MATCH (v:ArticleVersion) WHERE v.state = 'proposed' RETURN count(v) AS n")[0]["n"]
    return {"migrated": by_source.get("legacy", {}).get("n", 0), "new": by_source.get("new", {}).get("n", 0),
            "behind_legacy": int(sum(row["behind"] for row in rows)), "open_proposals": proposals}
