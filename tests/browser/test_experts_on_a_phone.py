"""Experts on a phone (390x844) in a real Chromium: an offer arrives (what, where and when on its card),
accept, open a knowledge-base article from the ticket, read its steps, back, attach, close; the
customer answers the survey; a refusal sends the offer to the next expert. Every page: axe-core's
serious and critical rules, labels, 44 px tap targets, no sideways scrolling, no word broken across
lines."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from foundation import times
from tests.graph.identity_support import PASSWORD

from ..system.conftest import _bridge, offered_expert
from ..system.crew import raise_for, two_experts
from .a11y import accessibility_problems as check
from .a11y import broken_words
from .conftest import PHONE, log_in


def accessibility_problems(page) -> list[str]:
    return check(page, phone=True)


def test_offer_accept_articles_close_and_the_customers_survey(system, browser, phone):
    crew = two_experts(system)
    article_title = crew.article_title
    ticket_id = raise_for(system, crew, 20)
    expert_id = offered_expert(system, ticket_id)
    phone.goto(f"{system.shell}/login")
    assert accessibility_problems(phone) == []
    log_in(phone, system.shell, crew.usernames[expert_id], PASSWORD)
    offer = phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')
    expect(offer).to_be_visible()
    expect(offer.locator("time[data-seconds-left]")).to_have_text(re.compile(r"^\d+:\d\d$"))
    holder = _bridge(system, f"/customers/{crew.customer_id}").json()
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
    product = next(p["name"] for p in _bridge_products(system) if p["id"] == ticket["product_id"])
    # Before answering, the expert sees what, where and when: product, problem, town and postcode,
    # and the appointment in the one time format, its half-day's hours named.
    expect(offer.locator("h3")).to_contain_text(product)
    expect(offer.locator(".xp-place")).to_have_text(f"{holder['city']} {holder['postcode']}")
    expect(offer.locator(".xp-summary")).to_contain_text(ticket["description"][:40])
    expect(offer.locator(".xp-slot")).to_have_text(times.slot(ticket["slots"][0]))
    expect(offer.locator(".xp-slot")).to_contain_text(re.compile(r"(morning|afternoon|evening) \(\d\d:00–\d\d:00\)"))
    assert accessibility_problems(phone) == []
    assert broken_words(phone) == []
    offer.get_by_role("button", name=re.compile("^Accept")).click()
    expect(phone.locator(".xp-message")).to_contain_text("Accepted")
    phone.locator(f'.xp-visit[data-ticket-id="{ticket_id}"] a').first.click()
    expect(phone.locator(".xp-related")).to_contain_text(article_title)
    assert accessibility_problems(phone) == []
    assert broken_words(phone) == []
    # Ticket -> the article, one tap: its steps under the ticket's product -> back -> attach.
    phone.get_by_role("link", name=f"Read: {article_title}").click()
    expect(phone.locator(".xp-article-page h2")).to_have_text(article_title)
    expect(phone.locator(".xp-product")).to_contain_text(product)
    expect(phone.locator(".xp-steps li").first).to_be_visible()
    assert accessibility_problems(phone) == []
    assert broken_words(phone) == []
    phone.get_by_role("link", name=re.compile("^← Back to")).click()
    expect(phone.locator(".xp-related")).to_contain_text(article_title)
    phone.locator(".xp-article", has_text=article_title).get_by_role("button", name=re.compile("^Attach")).click()
    expect(phone.locator(".xp-message")).to_contain_text("Article attached")
    expect(phone.locator(".xp-attached")).to_contain_text(article_title)
    phone.get_by_label("Note").fill("Display cable was loose")
    phone.get_by_role("button", name="Add note").click()
    expect(phone.locator(".xp-timeline")).to_contain_text("Display cable was loose")
    phone.get_by_label("Resolution").fill("Reseated the display cable; tested for ten minutes")
    phone.get_by_role("button", name="Close ticket").click()
    expect(phone.locator(".xp-message")).to_contain_text("Closed")
    phone.get_by_role("link", name="My profile").first.click()
    expect(phone.get_by_role("heading", name="My profile")).to_be_visible()
    assert accessibility_problems(phone) == []

    customer = browser.new_context(viewport=PHONE).new_page()
    log_in(customer, system.shell, crew.customer_username, PASSWORD)
    customer.goto(f"{system.shell}/my")
    assert check(customer) == []  # axe and labels (the 44 px rule is the experts' field standard)
    customer.get_by_role("link", name=re.compile(f"Tell us how the visit for N-{ticket_id}")).click()
    assert customer.url.endswith(f"/fragments/ticketing/surveys/{ticket_id}")
    expect(customer.locator(".tk-survey")).to_be_visible()
    assert check(customer) == []
    assert "Very happy" in customer.locator("main").inner_text(), customer.locator("main").inner_text()
    customer.get_by_role("radio", name=re.compile("Very happy")).check()
    customer.get_by_label("Anything to add? (optional)").fill("Quick and friendly")
    customer.get_by_role("button", name="Send my answer").click()
    expect(customer.locator(".tk-survey")).to_contain_text("Thank you")
    with system.graph_store() as store:
        assert store.experts.get(expert_id)["score"] == 5.0
        assert store.surveys.find(ticket_id)["comment"] == "Quick and friendly"
        assert store.offers.bookings(expert_id) == [] or all(
            b["ticket_id"] != ticket_id for b in store.offers.bookings(expert_id))


def _bridge_products(system) -> list[dict]:
    return _bridge(system, "/products").json()["items"]


def test_a_refusal_sends_the_offer_to_the_next_expert(system, phone):
    crew = two_experts(system)
    ticket_id = raise_for(system, crew, 23)
    first = offered_expert(system, ticket_id)
    log_in(phone, system.shell, crew.usernames[first], PASSWORD)
    offer = phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')
    offer.get_by_label("Why refuse?").select_option("Too far away")
    offer.get_by_role("button", name=re.compile("^Refuse")).click()
    expect(phone.locator(".xp-message")).to_contain_text("Refused")
    expect(phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')).to_have_count(0)
    second = offered_expert(system, ticket_id)
    assert second == crew.other(first)
