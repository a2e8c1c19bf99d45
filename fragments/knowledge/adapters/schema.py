"""The knowledge base's part of the graph's schema. Its full-text index is each engine's own (FalkorDB:
RediSearch with English stemming, weights in the index; Neo4j: Lucene, weights as boosts in the query).
Title and symptoms say what the problem is; the steps say how to fix it."""
from graph_store.schema import FullText, Schema

ARTICLE_TEXT = FullText("Article", (("title", 2), ("symptoms", 2), ("steps", 1)))

SCHEMA = Schema(
    unique_keys=(("Article", "id"), ("ArticleVersion", "key"), ("Tag", "name"), ("Keyword", "word"),
                 ("Product", "id"), ("Counter", "name")),
    range_indexes=(("Article", "product_id"), ("ArticleVersion", "article_id"), ("ArticleVersion", "state")),
    fulltext=(ARTICLE_TEXT,),
    relationships=("HAS_VERSION", "ABOUT", "TAGGED", "HAS_KEYWORD", "REFERENCES"),
)
