"""The knowledge base's rules without any store: ranking order, past fixes, drafts."""
from __future__ import annotations

import pytest

from fragments.knowledge.domain.drafts import InvalidArticle, draft, steps_of
from fragments.knowledge.domain.ranking import (
    TIER_FAMILY,
    TIER_KIND,
    TIER_OTHER,
    TIER_PRODUCT,
    Product,
    family,
    fix_weights,
    rank,
    search_words,
    tier,
)

CATALOGUE = {1: Product(1, "Tablet", "Nordlight"), 2: Product(2, "Tablet", "Nordlight"),
             3: Product(3, "Tablet", "Voltari"), 4: Product(4, "Laptop", "Nordlight")}


def article(article_id: int, product_id: int | None, version: int = 1) -> dict:
    return {"id": article_id, "product_id": product_id, "title": f"a{article_id}", "version": version}


def test_tiers_go_product_family_kind_other():
    assert [tier(p, 1, CATALOGUE) for p in (1, 2, 3, 4, None)] == [TIER_PRODUCT, TIER_FAMILY, TIER_KIND,
                                                                   TIER_OTHER, TIER_OTHER]
    assert family(1, CATALOGUE) == [1, 2, 3] and family(99, CATALOGUE) == [99]


def test_the_products_article_comes_before_a_better_worded_one_of_another_product():
    """The Slate 11 ticket of the issue: four laptop articles about flicker match the words better."""
    ranked = rank([article(10, 4), article(11, 4), article(12, 1)], ticket_product=1, catalogue=CATALOGUE,
                  text_scores={10: 9.0, 11: 8.0, 12: 1.0}, fixes={})
    assert [r.article["id"] for r in ranked] == [12, 10, 11]
    assert ranked[0].why == "this product, matches the description"


def test_within_a_tier_words_then_past_fixes_then_newer_then_lower_id():
    candidates = [article(24, 1), article(20, 1), article(21, 1), article(23, 1, version=3), article(22, 1, version=3)]
    ranked = rank(candidates, ticket_product=1, catalogue=CATALOGUE, text_scores={20: 2.0, 21: 1.6},
                  fixes={21: 4.0})
    # 21: 0.8 of the best text + the best past fix (0.5) beats 20's best text alone (1.0)
    assert [r.article["id"] for r in ranked] == [21, 20, 22, 23, 24]


def test_an_article_of_another_kind_without_a_matching_word_is_left_out():
    ranked = rank([article(30, 4), article(31, None)], ticket_product=1, catalogue=CATALOGUE,
                  text_scores={31: 0.0}, fixes={})
    assert [r.article["id"] for r in ranked] == [31]  # a match scored 0 by the engine still counts


def test_past_fixes_count_likeness_and_the_customers_verdict():
    past = [{"description": "touch screen does not react", "articles": [1], "score": 5},
            {"description": "touch screen does not react at all", "articles": [2], "score": 1},
            {"description": "battery flat", "articles": [3], "score": 5},
            {"description": "touch does not react", "articles": [4], "score": None}]
    weights = fix_weights("the touch screen does not react", past)
    assert weights[1] > weights[4] > 0 > weights[2] and 3 not in weights


def test_search_words_drop_small_and_common_words_once_each():
    assert search_words("My Slate 11 screen flickers, the screen FLICKERS!") == ["slate", "screen", "flickers"]


def test_a_draft_is_cleaned_and_checked_field_by_field():
    made = draft({"title": "  Reset  the\tpanel ", "symptoms": "The panel stays dark.", "steps": "1. Unplug\n\n2) Wait",
                  "product_id": "4", "tags": "Panel, dark, panel", "keywords": ["x"]}, {4})
    assert made.title == "Reset the panel" and made.steps == ("Unplug", "Wait") and made.tags == ("dark", "panel")
    assert made.content()["steps"] == "Unplug\nWait"
    with pytest.raises(InvalidArticle) as refused:
        draft({"title": "ab", "symptoms": "short", "steps": "", "product_id": "²", "tags": "x" * 61}, {4})
    assert set(refused.value.errors) == {"title", "symptoms", "steps", "product_id", "tags"}
    assert steps_of("1. a\n 2) b \n\nc") == ["a", "b", "c"]
