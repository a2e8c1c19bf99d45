"""Which articles help with a ticket, best first (docs/adr/0020).

1. Product first: the ticket's own product, then its family (same maker and kind), then its kind;
   an article of another product comes after all of those, however well its words match.
2. Within a tier, relevance: the full-text score of the ticket's words over title, symptoms and steps
   (normalised to the best score among the candidates), plus up to FIX_WEIGHT for what fixed similar
   tickets before: articles attached to closed tickets of the same product, each ticket weighted by
   how alike its description is to this one and by its survey score (normalised to the best-proven
   article).
3. Ties: the newer version, then the lower id, so the order is stable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

FIX_WEIGHT = 0.5  # third in the order of evidence: half of what the text can give
MIN_HIT = 0.01
UNANSWERED = 0.25  # a closed ticket without an answered survey counts as a middling fix
STOP_WORDS = frozenset("""a an and are as at be been but by can do does for from had has have her his how i in into is it
its my me not of on or our so that the their them then there this to too up was we were when which while will with
you your after again also any because before every just keeps since still stopped very what working won't cannot
""".split())

TIER_PRODUCT, TIER_FAMILY, TIER_KIND, TIER_OTHER = 3, 2, 1, 0
TIER_NAMES = {TIER_PRODUCT: "this product", TIER_FAMILY: "same family", TIER_KIND: "same kind of product",
              TIER_OTHER: "other products"}


def search_words(text: str, limit: int = 12) -> list[str]:
    """The words of a description worth searching for, in order, once each."""
    words = [w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) >= 3 and w not in STOP_WORDS]
    return list(dict.fromkeys(words))[:limit]


@dataclass(frozen=True)
class Product:
    id: int
    kind: str
    maker: str


def tier(article_product: int | None, ticket_product: int | None, catalogue: dict[int, Product]) -> int:
    if ticket_product is None or article_product is None:
        return TIER_OTHER
    if article_product == ticket_product:
        return TIER_PRODUCT
    mine, theirs = catalogue.get(ticket_product), catalogue.get(article_product)
    if mine is None or theirs is None or mine.kind != theirs.kind:
        return TIER_OTHER
    return TIER_FAMILY if mine.maker == theirs.maker else TIER_KIND


def family(ticket_product: int | None, catalogue: dict[int, Product]) -> list[int]:
    """The products whose articles join the candidates for a ticket about `ticket_product`."""
    mine = catalogue.get(ticket_product) if ticket_product is not None else None
    if mine is None:
        return [ticket_product] if ticket_product is not None else []
    return sorted(p.id for p in catalogue.values() if p.kind == mine.kind)


def similarity(words: set[str], other: set[str]) -> float:
    """How alike two descriptions are: shared words over all words (Jaccard)."""
    return len(words & other) / len(words | other) if words and other else 0.0


def fix_weights(description: str, past: Iterable[dict[str, Any]]) -> dict[int, float]:
    """Per article: what it fixed before, for tickets like this one. Each closed ticket of the product
    counts for the articles attached to it with its likeness to this description times what its
    survey says: 5 +1, 4 +0.5, 3 nothing, 2 -0.5, 1 -1 (an article left attached to a visit the customer
    was unhappy with is evidence against it); a ticket without an answer counts a little for it."""
    words = set(search_words(description, limit=40))
    weights: dict[int, float] = {}
    for ticket in past:
        alike = similarity(words, set(search_words(ticket.get("description") or "", limit=40)))
        if not alike:
            continue
        score = ticket.get("score")
        satisfied = (score - 3) / 2 if isinstance(score, (int, float)) else UNANSWERED
        for article_id in ticket.get("articles") or []:
            weights[article_id] = weights.get(article_id, 0.0) + alike * satisfied
    return weights


@dataclass(frozen=True)
class Ranked:
    article: dict[str, Any]
    tier: int
    relevance: float
    text: float
    fixed: float

    @property
    def why(self) -> str:
        parts = [TIER_NAMES[self.tier]]
        if self.text:
            parts.append("matches the description")
        if self.fixed:
            parts.append("fixed similar tickets")
        return ", ".join(parts)


def rank(candidates: Iterable[dict[str, Any]], *, ticket_product: int | None, catalogue: dict[int, Product],
         text_scores: dict[int, float], fixes: dict[int, float]) -> list[Ranked]:
    """Every candidate that shares the ticket's product kind or matches its words, best first."""
    pool = {a["id"]: a for a in candidates}
    best_text = max((text_scores.get(i, 0.0) for i in pool), default=0.0) or 1.0
    best_fix = max((abs(fixes.get(i, 0.0)) for i in pool), default=0.0) or 1.0
    ranked = []
    for article_id, article in pool.items():
        level = tier(article.get("product_id"), ticket_product, catalogue)
        matched = article_id in text_scores
        # A hit always counts a little: an engine may score a real match 0 (seen: FalkorDB's TF-IDF
        # after many deletions in the index).
        text = max(text_scores[article_id] / best_text, MIN_HIT) if matched else 0.0
        fixed = fixes.get(article_id, 0.0) / best_fix
        if level == TIER_OTHER and not matched:
            continue  # neither the product's kind nor a word of the description: no help
        ranked.append(Ranked(article, level, text + FIX_WEIGHT * fixed, text, fixed))
    ranked.sort(key=lambda r: (-r.tier, -r.relevance, -(r.article.get("version") or 0), r.article["id"]))
    return ranked
