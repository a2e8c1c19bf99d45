"""Knowledge-base articles in the graph, the Articles port itself: migrated from the monolith on first
read (the protocol of graph_store/lazy.py), then kept here with every version (docs/adr/0020).

An article node holds its published version (title, product, symptoms, steps, tags, keywords, `version`),
points at its product, tags and keywords, and keeps each version as an `ArticleVersion`: published ones
numbered 1, 2, ...; an expert's edit is a proposal (state `proposed`) until an admin approves it (it
becomes the next published version) or rejects it (kept, with who and why).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Iterator

from bridge_client import BridgeClient, article_checksum, split_body
from foundation.vocabulary import iso
from fragments.ticketing.published.tickets_v1 import TicketRows
from graph_store.backends import GraphBackend
from graph_store.cutover import RollbackRefused
from graph_store.errors import MigrationUnavailable
from graph_store.lazy import LazyMigration
from graph_store.reconciliation import Reconciliation, compare, record_run, repair_bookkeeping
from graph_store.writes import in_place, removing, set_apart

from ..published import articles_v1
from ..services.ports import ArticleChanged, ArticleMissing, LegacyUnavailable
from .schema import ARTICLE_TEXT

NEW_ARTICLE_ID_BASE = 1_000_000  # articles written first in the new system: above every legacy id
MAPPING_VERSION = 1

# Version properties: what an edit may change.
CONTENT = ("title", "product_id", "symptoms", "steps", "tags", "keywords")

LINKS = """
WITH a, s
OPTIONAL MATCH (a)-[old:TAGGED|HAS_KEYWORD|ABOUT]->()
DELETE old
WITH DISTINCT a, s
FOREACH (name IN s.content.tags | MERGE (tag:Tag {name: name}) MERGE (a)-[:TAGGED]->(tag))
FOREACH (word IN s.content.keywords | MERGE (k:Keyword {word: word}) MERGE (a)-[:HAS_KEYWORD]->(k))
FOREACH (pid IN CASE WHEN s.content.product_id IS NULL THEN [] ELSE [s.content.product_id] END |
  MERGE (p:Product {id: pid}) MERGE (a)-[:ABOUT]->(p))
"""

# Create-only (graph_store/lazy.py). A node without `source` is what iteration 1 left when a ticket
# referenced a legacy article (id and title only): it has no content to protect, so it is filled in.
WRITE_ARTICLES = f"""
UNWIND $items AS s
MERGE (a:Article {{id: s.key}})
ON CREATE SET a.migration_token = $token
WITH a, s WHERE a.migration_token = $token OR a.source IS NULL
SET a += s.content, a += s.meta, a.migration_token = $token
CREATE (a)-[:HAS_VERSION]->(:ArticleVersion {{key: toString(s.key) + ':1', article_id: s.key, n: 1, state: 'published',
                                             by: 'legacy', at: s.meta.updated_at, title: s.content.title,
                                             product_id: s.content.product_id, symptoms: s.content.symptoms,
                                             steps: s.content.steps, tags: s.content.tags,
                                             keywords: s.content.keywords}})
{LINKS}
RETURN a.id AS id
"""

# An approved proposal is closed in the same query that publishes it: never published twice, never
# left open once published.
CLOSE_PROPOSAL = """
WITH a
OPTIONAL MATCH (p:ArticleVersion {key: $proposal}) WHERE p.state = 'proposed'
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END |
  SET p.state = 'approved', p.decided_by = $by, p.decided_at = $at, p.published_as = a.version, p.article_id = a.id
  MERGE (a)-[:HAS_VERSION]->(p))
"""

CREATE_ARTICLE = f"""
MERGE (counter:Counter {{name: 'article'}})
ON CREATE SET counter.value = $base
SET counter.value = counter.value + 1
WITH counter.value AS id
CREATE (a:Article {{id: id}})
SET a += $content, a.version = 1, a.source = 'new', a.created_at = $at, a.updated_at = $at, a.updated_by = $by,
    a.legacy_version = 0
CREATE (a)-[:HAS_VERSION]->(v:ArticleVersion {{key: toString(id) + ':1', article_id: id, n: 1, state: 'published',
                                              by: $by, at: $at}})
SET v += $content
WITH a, {{content: $content}} AS s
{LINKS}
{CLOSE_PROPOSAL}
RETURN a.id AS id
"""

# What the edit empties is removed one property at a time (graph_store.writes).
PUBLISH = f"""
MATCH (a:Article {{id: $id}}) WHERE a.version = $expected
SET a += $values, a.version = a.version + 1, a.updated_at = $at, a.updated_by = $by
{removing("a")}
CREATE (a)-[:HAS_VERSION]->(v:ArticleVersion {{key: toString(a.id) + ':' + toString(a.version), article_id: a.id,
                                              n: a.version, state: 'published', by: $by, at: $at,
                                              proposal: $proposal}})
SET v += $content
WITH a, {{content: $content}} AS s
{LINKS}
{CLOSE_PROPOSAL}
RETURN a.version AS version
"""



# A proposal is created with its content in place (ADR 0029).
PROPOSED = {"key": "$key", "state": "'proposed'", "by": "$by", "at": "$at", "base_version": "$base", "note": "$note"}

ARTICLE_FIELDS = ("a {.id, .title, .product_id, .symptoms, .steps, .tags, .keywords, .version, .source, "
                  ".created_at, .updated_at, .updated_by, .legacy_version} AS article")


def article_shape(legacy: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
    symptoms, steps = split_body(legacy["body"])
    return {"key": legacy["id"],
            "content": {"title": legacy["title"], "product_id": legacy.get("product_id"), "symptoms": symptoms,
                        "steps": steps, "tags": sorted(legacy.get("tags") or []),
                        "keywords": sorted(legacy.get("keywords") or [])},
            "meta": {"version": 1, "source": "legacy", "migrated_via": via, "migrated_at": iso(now),
                     "created_at": legacy.get("created_at"), "updated_at": legacy.get("updated_at"),
                     "updated_by": "legacy", "legacy_version": 1, "mapping_version": MAPPING_VERSION,
                     # the legacy row's checksum as it was copied; each write-back keeps the row's new one
                     "legacy_checksum": article_checksum(legacy)}}


class ArticlePart:
    """Knowledge-base articles as a part of the monolith that moves (graph_store/lazy.py)."""

    name = "articles"
    write_query = WRITE_ARTICLES

    def freeze(self, bridge: BridgeClient, ids: list[int],
               reader: dict[str, Any] | None = None) -> list[dict[str, Any]]:  # every role reads the KB
        return bridge.freeze_articles(ids)

    def peek(self, bridge: BridgeClient, record_id: int) -> dict[str, Any]:
        return bridge.get_article(record_id)

    def shape(self, record: dict[str, Any], via: str, now: dt.datetime) -> dict[str, Any]:
        return article_shape(record, via, now)

    def mark(self, bridge: BridgeClient, ids: list[int]) -> None:
        bridge.mark_articles_migrated(ids)

    def after_write(self, backend: GraphBackend, shapes: list[dict[str, Any]]) -> None:
        return None

    def missing(self, record_id: int) -> Exception:
        return ArticleMissing(f"no article {record_id}")

    def legacy_checksums(self, bridge: BridgeClient, page_size: int) -> Iterator[dict[str, Any]]:
        return bridge.article_checksums(page_size)

    def copied_checksums(self, backend: GraphBackend, ids: list[int]) -> dict[int, str]:
        """What the legacy row should hold: the checksum of what was copied or last written back. An
        article copied before checksums were kept has none (reconcile_articles adopts the row's)."""
        rows = backend.read("UNWIND $ids AS id MATCH (a:Article {id: id}) WHERE a.source IS NOT NULL "
                            "RETURN a.id AS id, a.legacy_checksum AS checksum", {"ids": list(ids)})
        return {row["id"]: row["checksum"] or UNKNOWN for row in rows}


UNKNOWN = "unknown"  # a copy taken before checksums were kept


def reconcile_articles(backend: GraphBackend, bridge: BridgeClient, now: dt.datetime | None = None) -> Reconciliation:
    """Every legacy article against what the knowledge service copied or last wrote back: safe repairs
    made (a mark, a frozen article copied); an article whose published version waits for its
    write-back compares against the last one written, so only a row changed behind the freeze (or a
    copy that differs) is for a person. A copy taken before checksums were kept takes the row's once,
    when nothing of it waits to be written back (the finding says so)."""
    migration = LazyMigration(backend, bridge, ArticlePart())
    result = compare(migration)
    repair_bookkeeping(result, migration)
    unknown = {row["id"] for row in backend.read(
        "UNWIND $ids AS id MATCH (a:Article {id: id}) WHERE a.legacy_checksum IS NULL AND a.legacy_version = a.version "
        "RETURN a.id AS id", {"ids": result.mismatched})}
    if unknown:
        legacy = {item["id"]: item["checksum"] for item in bridge.article_checksums() if item["id"] in unknown}
        backend.write("UNWIND $items AS item MATCH (a:Article {id: item.id}) SET a.legacy_checksum = item.checksum",
                      {"items": [{"id": i, "checksum": c} for i, c in legacy.items()]})
        for finding in result.findings:
            if finding.ticket_id in legacy and finding.kind == "mismatched":
                finding.differences, finding.action = ["checksum adopted: copied before checksums were kept"], "repaired"
    record_run(backend, result, now or dt.datetime.now(), part="articles")
    return result


def give_back_articles(backend: GraphBackend, bridge: BridgeClient, batch_size: int = 200) -> tuple[int, int]:
    """The rollback: the legacy KB's own again. Refused (RollbackRefused, nothing changed) while a
    published version waits for its write-back or a proposal waits for an admin: the monolith has no
    place for either. Then every article is released to the monolith and the copies here become what a
    ticket's link needs (id and title, no `source`: a later take-over fills them in afresh from the
    legacy row), their versions forgotten. Returns (released, reduced). Switch the knowledge service off
    first."""
    counts = articles_v1.counts(backend)
    if counts["behind_legacy"] or counts["open_proposals"]:
        raise RollbackRefused(f"{counts['behind_legacy']} published versions wait for their write-back (sysops "
                              f"kb-sync) and {counts['open_proposals']} proposals wait for an admin: nothing was "
                              "changed")
    ids = [row["id"] for row in backend.read("MATCH (a:Article) WHERE a.source IS NOT NULL RETURN a.id AS id ORDER BY id")]
    for start in range(0, len(ids), batch_size):
        bridge.release_articles(ids[start:start + batch_size])
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        backend.write("UNWIND $ids AS id MATCH (a:Article {id: id})-[:HAS_VERSION]->(v:ArticleVersion) DETACH DELETE v",
                      {"ids": batch})
        backend.write("UNWIND $ids AS id MATCH (a:Article {id: id}) SET a.source = NULL", {"ids": batch})
    return len(ids), len(ids)


class GraphArticles:
    """Reads and writes of articles in the graph; `get` and `bring` move a legacy article in first."""

    def __init__(self, backend: GraphBackend, bridge: BridgeClient):
        self.db = backend
        self.bridge = bridge
        self.migration = LazyMigration(backend, bridge, ArticlePart())

    def get(self, article_id: int) -> dict[str, Any]:
        """The article; a legacy one not yet here is migrated first (then the graph is its master, and the
        legacy row only mirrors what is published here)."""
        article = self.find(article_id)
        if article is None:
            try:
                self.migration.migrate(article_id, via="lazy")
            except MigrationUnavailable as exc:
                raise LegacyUnavailable(str(exc)) from exc
            article = self.find(article_id)
            if article is None:
                raise ArticleMissing(f"no article {article_id}")
        return article

    def bring(self, article_ids: list[int]) -> list[dict[str, Any]]:
        """Several articles, those not yet here migrated first in one batch; unknown ids left out. With
        the monolith away, what the graph has."""
        found = {a["id"]: a for a in self.many(article_ids)}
        missing = [i for i in dict.fromkeys(article_ids) if i not in found]
        if missing:
            try:
                self.migration.migrate_batch(missing, via="lazy")
            except MigrationUnavailable:
                return [found[i] for i in dict.fromkeys(article_ids) if i in found]
            found.update({a["id"]: a for a in self.many(missing)})
        return [found[i] for i in dict.fromkeys(article_ids) if i in found]

    def backfill(self, batch_size: int = 200) -> tuple[int, int]:
        """Copy every legacy article not yet marked migrated (the KB is small: hundreds). Returns
        (seen, created); safe beside lazy reads and other runs, as every write is create-only."""
        seen = created = 0
        ids = list(self.bridge.article_ids(migrated="false"))
        for start in range(0, len(ids), batch_size):
            batch = ids[start:start + batch_size]
            created += self.migration.migrate_batch(batch, via="backfill")
            seen += len(batch)
        return seen, created

    def find(self, article_id: int) -> dict[str, Any] | None:
        rows = self.db.read(f"MATCH (a:Article {{id: $id}}) WHERE a.source IS NOT NULL RETURN {ARTICLE_FIELDS}",
                            {"id": article_id})
        return rows[0]["article"] if rows else None

    def many(self, article_ids: list[int]) -> list[dict[str, Any]]:
        rows = self.db.read(f"UNWIND $ids AS id MATCH (a:Article {{id: id}}) WHERE a.source IS NOT NULL "
                            f"RETURN {ARTICLE_FIELDS}", {"ids": list(article_ids)})
        return [row["article"] for row in rows]

    def for_products(self, product_ids: list[int]) -> list[dict[str, Any]]:
        rows = self.db.read(f"MATCH (a:Article) WHERE a.product_id IN $ids AND a.source IS NOT NULL "
                            f"RETURN {ARTICLE_FIELDS} ORDER BY a.id", {"ids": list(product_ids)})
        return [row["article"] for row in rows]

    def text_matches(self, words: list[str], limit: int = 50) -> dict[int, float]:
        return {article_id: score for article_id, score in self.db.search_text(ARTICLE_TEXT, words, limit)}

    def fixes(self, product_id: int, limit: int = 500) -> list[dict[str, Any]]:
        """Closed tickets of the product with articles attached: ticketing's published read."""
        return TicketRows(self.db).fixes(product_id, limit)

    def create(self, content: dict[str, Any], *, by: str, now: dt.datetime, proposal: str | None = None) -> int:
        rows = self.db.write(CREATE_ARTICLE, {"base": NEW_ARTICLE_ID_BASE, "content": _content(content),
                                              "by": by, "at": iso(now), "proposal": proposal})
        return rows[0]["id"]

    def publish(self, article_id: int, content: dict[str, Any], *, expected_version: int, by: str,
                now: dt.datetime, proposal: str | None = None) -> int:
        """The next published version, if the article is still at `expected_version` (else ArticleChanged:
        someone published meanwhile, and nothing was written). Closes `proposal` as approved."""
        values, removed = set_apart(_content(content))
        rows = self.db.write(PUBLISH, {
            "id": article_id, "expected": expected_version, "content": _content(content), "values": values,
            "removed": removed, "by": by, "at": iso(now), "proposal": proposal})
        if not rows:
            if self.find(article_id) is None:
                raise ArticleMissing(f"no article {article_id}")
            raise ArticleChanged(f"article {article_id} changed since version {expected_version}")
        return rows[0]["version"]

    def propose(self, article_id: int | None, content: dict[str, Any], *, base_version: int, by: str, note: str,
                now: dt.datetime) -> str:
        """An expert's edit (or, without `article_id`, a new article) waiting for an admin."""
        key = f"{article_id or 'new'}:p:{uuid.uuid4().hex[:12]}"
        fields = tuple(sorted(_content(content)))
        if article_id is None:
            self.db.write(f"CREATE (v:ArticleVersion {{{in_place(fields, '$content', PROPOSED)}}})",
                          {"key": key, "by": by, "at": iso(now), "base": 0, "note": note, "content": _content(content)})
            return key
        rows = self.db.write(
            f"MATCH (a:Article {{id: $id}}) WHERE a.source IS NOT NULL CREATE (a)-[:HAS_VERSION]->(v:ArticleVersion "
            f"{{{in_place(fields, '$content', {**PROPOSED, 'article_id': '$id'})}}}) RETURN v.key AS key",
            {"id": article_id, "key": key, "by": by, "at": iso(now), "base": base_version, "note": note,
             "content": _content(content)})
        if not rows:
            raise ArticleMissing(f"no article {article_id}")
        return key

    def proposal(self, key: str) -> dict[str, Any] | None:
        rows = self.db.read("MATCH (v:ArticleVersion {key: $key}) RETURN v {.*} AS version", {"key": key})
        return rows[0]["version"] if rows else None

    def reject(self, key: str, *, by: str, reason: str, now: dt.datetime) -> bool:
        """Close an open proposal as rejected (kept, with who, when and why); False if it was not open."""
        rows = self.db.write(
            "MATCH (v:ArticleVersion {key: $key}) WHERE v.state = 'proposed' "
            "SET v.state = 'rejected', v.decided_by = $by, v.decided_at = $at, v.reason = $reason RETURN v.key AS key",
            {"key": key, "by": by, "at": iso(now), "reason": reason})
        return bool(rows)

    def open_proposals(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.read("MATCH (v:ArticleVersion) WHERE v.state = 'proposed' "
                            "OPTIONAL MATCH (a:Article {id: v.article_id}) "
                            "RETURN v {.*} AS version, a.title AS current_title, a.version AS current_version "
                            "ORDER BY v.at LIMIT $limit", {"limit": limit})
        return [{**row["version"], "current_title": row["current_title"], "current_version": row["current_version"]}
                for row in rows]

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Newest version first, by number, not by clock: version 1 of a legacy article carries the
        monolith's time, which a write-back may have set later than the graph's own versions. Each
        proposal sits under the version it became, or else the one it was written against."""
        rows = self.db.read("MATCH (:Article {id: $id})-[:HAS_VERSION]->(v:ArticleVersion) RETURN v {.*} AS version "
                            "ORDER BY coalesce(v.n, v.published_as, v.base_version, 0) DESC, "
                            "CASE WHEN v.n IS NULL THEN 1 ELSE 0 END, v.at DESC", {"id": article_id})
        return [row["version"] for row in rows]

    def behind_legacy(self, limit: int = 100) -> list[dict[str, Any]]:
        """Articles whose published version the legacy row does not show yet (write-back pending)."""
        rows = self.db.read(f"MATCH (a:Article) WHERE a.source IS NOT NULL AND a.legacy_version < a.version "
                            f"RETURN {ARTICLE_FIELDS} ORDER BY a.id LIMIT $limit", {"limit": limit})
        return [row["article"] for row in rows]

    def written_back(self, article_id: int, version: int, legacy_checksum: str | None = None) -> None:
        self.db.write("MATCH (a:Article {id: $id}) WHERE a.legacy_version < $version SET a.legacy_version = $version, "
                      "a.legacy_checksum = $checksum", {"id": article_id, "version": version, "checksum": legacy_checksum})

    def counts(self) -> dict[str, int]:
        return articles_v1.counts(self.db)


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {name: content.get(name) for name in CONTENT}
