"""The knowledge base of iteration 2 in a real Chromium, inside the legacy KB screens: staff search
and read; an admin edits and publishes; an expert on a phone proposes a change, an admin approves it;
every page checked (axe-core's serious and critical rules, labels; on the phone also 44 px targets,
no sideways scrolling and no word broken across lines)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.graph.identity_support import PASSWORD

from ..system.conftest import _bridge
from .a11y import accessibility_problems, broken_words
from .conftest import log_in
from .test_expert_day import expert_on_duty


def _article(system, number: int) -> dict:
    ids = _bridge(system, "/kb/articles", params={"q": "the", "limit": 100}).json()["items"]
    return sorted(ids, key=lambda a: a["id"])[number]


def test_staff_search_the_knowledge_base_and_read_an_article(system, page):
    wanted = _article(system, 3)
    log_in(page, system.shell, "callcentre")
    page.get_by_role("link", name="Knowledge base").click()
    slot = page.locator('[data-fragment-slot="knowledge/search"]')
    expect(slot.locator('[data-fragment="knowledge"]')).to_be_visible()  # the fragment, in the legacy screen
    assert accessibility_problems(page) == []
    slot.get_by_label("Search words").fill(wanted["title"].split(": ", 1)[1])
    slot.get_by_label("Product").select_option(value=str(wanted["product_id"]))
    slot.get_by_role("button", name="Search").click()
    first = slot.locator(".kb-result").first
    expect(first).to_have_attribute("data-article-id", str(wanted["id"]))
    assert accessibility_problems(page) == []
    first.get_by_role("link").click()
    assert page.url.endswith(f"/kb/{wanted['id']}")
    article = page.locator('[data-fragment-slot="knowledge/article"] .kb-article')
    expect(article.locator("h2")).to_have_text(wanted["title"])
    expect(article.locator(".kb-steps li").first).to_be_visible()
    expect(article.get_by_role("link", name="Edit")).to_have_count(0)  # staff read; admins and experts write
    assert accessibility_problems(page) == []


def test_an_admin_publishes_and_an_experts_proposal_waits_for_approval(system, page, phone):
    wanted = _article(system, 5)
    log_in(page, system.shell, "admin")
    page.goto(f"{system.shell}/kb/{wanted['id']}")
    article = page.locator('[data-fragment-slot="knowledge/article"]')
    article.get_by_role("link", name="Edit").click()
    expect(article.get_by_label("Title")).to_have_value(wanted["title"])
    assert accessibility_problems(page) == []
    article.get_by_label("Steps (one per line)").fill("Switch it off at the wall\nWait one minute\nSwitch it on")
    article.get_by_role("button", name="Publish").click()
    expect(article.locator(".kb-message")).to_have_text("Version 2 published.")
    expect(article.locator(".kb-steps li")).to_have_count(3)
    # Old readers of the legacy KB get the new text too.
    assert "1. Switch it off at the wall" in _bridge(system, f"/kb/articles/{wanted['id']}").json()["body"]

    expert = expert_on_duty(system)  # an expert of the test's own, with an account
    log_in(phone, system.shell, expert.username, PASSWORD)
    phone.goto(f"{system.shell}/kb/{wanted['id']}")
    mine = phone.locator('[data-fragment-slot="knowledge/article"]')
    expect(mine.locator(".kb-steps li")).to_have_count(3)
    assert accessibility_problems(phone, phone=True) == [] and broken_words(phone) == []
    mine.get_by_role("link", name="Propose a change").click()
    mine.get_by_label("Title").fill("ab")
    mine.get_by_role("button", name="Send for review").click()
    expect(mine.locator(".kb-error").first).to_contain_text("give a title")  # the form came back, text kept
    expect(mine.get_by_label("Steps (one per line)")).to_have_value(re.compile("Switch it off at the wall"))
    assert accessibility_problems(phone, phone=True) == []
    mine.get_by_label("Title").fill("Power-cycle before anything else")
    mine.get_by_label("Why this change (for the admin)").fill("Fixed three visits this week")
    mine.get_by_role("button", name="Send for review").click()
    expect(mine.locator(".kb-message")).to_contain_text("an admin will review")

    page.goto(f"{system.shell}/kb/proposals")
    proposal = page.locator(".kb-proposal", has_text="Power-cycle before anything else")
    expect(proposal).to_contain_text(expert.username)
    expect(proposal).to_contain_text("Fixed three visits this week")
    assert accessibility_problems(page) == []
    proposal.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(".kb-message")).to_contain_text("version 3")
    page.goto(f"{system.shell}/kb/{wanted['id']}")
    expect(article.locator("h2")).to_have_text("Power-cycle before anything else")
    article.get_by_role("link", name="Versions").click()
    expect(article.locator("tr[data-version-key]")).to_have_count(4)  # v1 (legacy), v2, the proposal, v3
    assert accessibility_problems(page) == []
