"""The knowledge base's use cases: search, read, the articles for a ticket, and keeping articles (an
admin publishes; an expert proposes and an admin approves or rejects; every version is kept)."""
from __future__ import annotations

import threading
import time
from typing import AbstractSet, Any, Callable

from bridge_client import BridgeError, Unavailable, article_checksum

from ..domain.drafts import Draft, InvalidArticle, draft, steps_of
from ..domain.ranking import Product, Ranked, family, fix_weights, rank, search_words
from .ports import ArticleChanged, ArticleMissing, Articles, Catalogue, Clock, LegacyKB

PUBLISHERS = ("admin",)
PROPOSERS = ("expert",)
CATALOGUE_SECONDS = 300.0  # products change a few times a year; a new one shows within 5 minutes
TEXT_CANDIDATES = 50


class NotAllowed(Exception):
    pass


class ProposalClosed(Exception):
    """Approved or rejected already (by another admin, or a second click)."""


class KnowledgeBase:
    def __init__(self, articles: Articles, catalogue: Catalogue, legacy: LegacyKB, clock: Clock,
                 *, monotonic: Callable[[], float] = time.monotonic):
        self.articles = articles
        self.catalogue = catalogue
        self.legacy = legacy
        self.clock = clock
        self._monotonic = monotonic
        self._products: tuple[float, list[dict[str, Any]]] | None = None
        self._all_copied = False
        self._lock = threading.Lock()

    # -- the catalogue, kept a few minutes (a new product shows in the lists within CATALOGUE_SECONDS)
    def products(self) -> list[dict[str, Any]]:
        with self._lock:
            kept = self._products
            if kept is None or self._monotonic() - kept[0] > CATALOGUE_SECONDS:
                kept = self._products = (self._monotonic(), sorted(self.catalogue.products(),
                                                                   key=lambda p: p["name"]))
            return kept[1]

    def _catalogue(self) -> dict[int, Product]:
        return {p["id"]: Product(p["id"], p.get("category") or "", p.get("manufacturer") or "")
                for p in self.products()}

    def product_names(self) -> dict[int, str]:
        return {p["id"]: p["name"] for p in self.products()}

    # -- reading
    def read(self, article_id: int) -> dict[str, Any]:
        return self.articles.get(article_id)

    def history(self, article_id: int) -> list[dict[str, Any]]:
        self.articles.get(article_id)  # unknown: ArticleMissing; legacy: migrated first
        return self.articles.versions(article_id)

    def search(self, query: str, product_id: int | None = None, limit: int = 20) -> list[Ranked]:
        """Staff's search: the words over title, symptoms and steps; with a product, its articles first."""
        return self._ranked(search_words(query), product_id, limit, exclude=set(), with_fixes=False)

    def for_ticket(self, product_id: int | None, description: str, *, exclude: AbstractSet[int] = frozenset(),
                   limit: int = 5) -> list[Ranked]:
        """The articles most likely to fix a ticket: its product first, then its words, then past fixes.
        The product's own name and kind are left out of the words: the product tier already counts them,
        and in the text they would favour the shortest article of the product, not the right one."""
        named = set(search_words(self._product_words(product_id), limit=20)) if product_id is not None else set()
        words = [w for w in search_words(description) if w not in named]
        return self._ranked(words, product_id, limit, exclude=set(exclude), with_fixes=True)

    def _product_words(self, product_id: int) -> str:
        product = next((p for p in self.products() if p["id"] == product_id), None)
        return "" if product is None else f"{product['name']} {product.get('category') or ''}"

    def _every_article_copied(self) -> bool:
        """Whether every legacy article is in the graph (then the legacy search has nothing to add). Once
        true it stays true: articles the monolith still creates for old clients are few, and found by
        their id; a `sysops backfill` copies them."""
        if self._all_copied:
            return True
        try:
            stats = self.legacy.article_stats()
        except BridgeError:  # the monolith down: search what the graph holds
            return True
        if stats["frozen"] >= stats["total"]:
            self._all_copied = True
            return True
        return False

    def _not_yet_copied(self, words: list[str], product_id: int | None) -> list[dict[str, Any]]:
        """While the migration runs, the legacy search's hits are candidates too: they are copied now
        (migrate on first read, one batch) and ranked like the others."""
        if self._every_article_copied():
            return []
        try:
            hits = self.legacy.search_articles(q=" ".join(words), product_id=product_id, limit=TEXT_CANDIDATES)
        except BridgeError:  # the legacy KB is a help here, not a must
            return []
        return self.articles.bring([a["id"] for a in hits]) if hits else []

    def _ranked(self, words: list[str], product_id: int | None, limit: int, *, exclude: set[int],
                with_fixes: bool) -> list[Ranked]:
        if not words and product_id is None:
            return []
        catalogue = self._catalogue()
        copied = {a["id"]: a for a in self._not_yet_copied(words, product_id)}
        text = self.articles.text_matches(words, TEXT_CANDIDATES) if words else {}
        by_product = self.articles.for_products(family(product_id, catalogue)) if product_id is not None else []
        known = {a["id"] for a in by_product} | set(copied)
        candidates = by_product + list(copied.values()) + self.articles.many([i for i in text if i not in known])
        fixes = (fix_weights(" ".join(words), self.articles.fixes(product_id))
                 if with_fixes and product_id is not None else {})
        ranked = rank([a for a in candidates if a["id"] not in exclude], ticket_product=product_id,
                      catalogue=catalogue, text_scores=text, fixes=fixes)
        return ranked[:limit]

    # -- keeping articles
    def new_draft(self, fields: dict[str, Any]) -> Draft:
        return draft(fields, {p["id"] for p in self.products()})

    def create(self, fields: dict[str, Any], *, actor: str, role: str, note: str = "") -> dict[str, Any]:
        """An admin's new article is published at once; an expert's waits for an admin as a proposal."""
        content = self.new_draft(fields).content()
        if role in PUBLISHERS:
            article_id = self.articles.create(content, by=actor, now=self.clock())
            self.sync_legacy()
            return {"published": True, "article_id": article_id}
        if role in PROPOSERS:
            key = self.articles.propose(None, content, base_version=0, by=actor, note=note, now=self.clock())
            return {"published": False, "proposal": key}
        raise NotAllowed(f"a {role} may not write articles")

    def edit(self, article_id: int, fields: dict[str, Any], *, expected_version: int, actor: str, role: str,
             note: str = "") -> dict[str, Any]:
        """A new version of an article: published (admin; ArticleChanged if someone published since
        `expected_version`) or proposed (expert, against `expected_version`)."""
        current = self.articles.get(article_id)
        content = self.new_draft(fields).content()
        if role in PUBLISHERS:
            version = self.articles.publish(article_id, content, expected_version=expected_version, by=actor,
                                            now=self.clock())
            self.sync_legacy()
            return {"published": True, "article_id": article_id, "version": version}
        if role in PROPOSERS:
            key = self.articles.propose(article_id, content, base_version=expected_version or current["version"],
                                        by=actor, note=note, now=self.clock())
            return {"published": False, "article_id": article_id, "proposal": key}
        raise NotAllowed(f"a {role} may not write articles")

    def proposals(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.articles.open_proposals(limit)

    def proposal(self, key: str) -> dict[str, Any]:
        found = self.articles.proposal(key)
        if found is None:
            raise ArticleMissing(f"no proposal {key}")
        return found

    def approve(self, key: str, *, actor: str, role: str) -> dict[str, Any]:
        """Publish what the expert proposed, as it was proposed (the admin saw it, and what it changes
        against the current version, on the review page)."""
        if role not in PUBLISHERS:
            raise NotAllowed("only an admin approves a proposal")
        proposal = self.proposal(key)
        if proposal["state"] != "proposed":
            raise ProposalClosed(f"this proposal was {proposal['state']} already")
        content = {name: proposal.get(name) for name in ("title", "product_id", "symptoms", "steps", "tags",
                                                         "keywords")}
        now = self.clock()
        if proposal.get("article_id") is None:
            article_id = self.articles.create(content, by=actor, now=now, proposal=key)
            version = 1
        else:
            article_id = proposal["article_id"]
            current = self.articles.get(article_id)
            version = self.articles.publish(article_id, content, expected_version=current["version"], by=actor,
                                            now=now, proposal=key)
        after = self.articles.proposal(key)
        if after is None or after.get("published_as") != version:
            raise ProposalClosed("another admin decided on this proposal meanwhile")
        self.sync_legacy()
        return {"article_id": article_id, "version": version}

    def reject(self, key: str, *, actor: str, role: str, reason: str) -> None:
        if role not in PUBLISHERS:
            raise NotAllowed("only an admin rejects a proposal")
        reason = " ".join((reason or "").split())
        if not 3 <= len(reason) <= 500:
            raise InvalidArticle({"reason": "say in 3 to 500 characters why, for the expert"})
        if not self.articles.reject(key, by=actor, reason=reason, now=self.clock()):
            self.proposal(key)  # unknown: ArticleMissing
            raise ProposalClosed("this proposal was decided already")

    # -- the legacy KB, kept current for old readers
    def sync_legacy(self, limit: int = 50) -> int:
        """Write every published version the legacy rows do not show yet back to the monolith. A failed
        write leaves the article behind (counted in the migration report) for the next publish or
        `sysops kb-sync`; it never undoes the publish."""
        done = 0
        for article in self.articles.behind_legacy(limit):
            try:
                stored = self.legacy.publish_article(article["id"], legacy_row(article))
            except Unavailable:  # the monolith down: the rest waits too (no publish waits on it)
                break
            except BridgeError:  # refused this one: it stays behind, counted in the migration report
                continue
            self.articles.written_back(article["id"], article["version"], article_checksum(stored))
            done += 1
        return done


def legacy_row(article: dict[str, Any]) -> dict[str, Any]:
    body = "\n".join([f"Symptom: {article.get('symptoms') or ''}".strip(),
                      *(f"{n}. {step}" for n, step in enumerate(steps_of(article.get("steps") or ""), 1))])
    return {"title": article["title"], "body": body, "product_id": article.get("product_id"),
            "tags": list(article.get("tags") or []), "keywords": list(article.get("keywords") or [])}


__all__ = ["ArticleChanged", "ArticleMissing", "InvalidArticle", "KnowledgeBase", "NotAllowed", "ProposalClosed"]
