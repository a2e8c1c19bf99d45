"""Experts on a phone (390x844) in a real Chromium: an offer arrives, accept, knowledge-base articles,
close, the customer answers the survey; a refusal sends the offer to the next expert; basic
accessibility checked on every page (labels, 44 px tap targets, no sideways scrolling)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from ..system.conftest import (
    offered_expert,
    raise_for_customer_1,
    two_experts_for_customer_1,
)
from .conftest import PHONE, log_in, settled

A11Y_SCRIPT = """() => {
  const problems = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!visible(el)) continue;
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label')
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push('no label: ' + (el.name || el.outerHTML.slice(0, 60)));
  }
  for (const el of document.querySelectorAll('button, a[href], select, input:not([type=hidden]), textarea')) {
    if (!visible(el)) continue;
    const target = (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') || el) : el;
    const r = target.getBoundingClientRect();
    if (r.height < 44) problems.push('tap target ' + Math.round(r.height) + 'px: ' + (el.textContent || el.name || el.outerHTML).trim().slice(0, 50));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push('scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
  return problems;
}"""


def accessibility_problems(page) -> list[str]:
    settled(page)
    return page.evaluate(A11Y_SCRIPT)


def test_offer_accept_articles_close_and_the_customers_survey(system, browser, phone):
    product_id, article_title = two_experts_for_customer_1(system)
    ticket_id = raise_for_customer_1(system, product_id, 20)
    expert_id = offered_expert(system, ticket_id)
    phone.goto(f"{system.shell}/login")
    assert accessibility_problems(phone) == []
    log_in(phone, system.shell, f"expert{expert_id}")
    offer = phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')
    expect(offer).to_be_visible()
    expect(offer.locator("time[data-seconds-left]")).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert accessibility_problems(phone) == []
    offer.get_by_role("button", name=re.compile("^Accept")).click()
    expect(phone.locator(".xp-message")).to_contain_text("Accepted")
    phone.locator(f'.xp-assigned [data-ticket-id="{ticket_id}"] a').click()
    expect(phone.locator(".xp-related")).to_contain_text(article_title)
    assert accessibility_problems(phone) == []
    phone.get_by_role("button", name=re.compile("^Attach")).first.click()
    expect(phone.locator(".xp-message")).to_contain_text("Article attached")
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
    log_in(customer, system.shell, "customer1")
    customer.goto(f"{system.shell}/my")
    customer.get_by_role("link", name=re.compile(f"Tell us how the visit for N-{ticket_id}")).click()
    assert customer.url.endswith(f"/fragments/ticketing/surveys/{ticket_id}")
    expect(customer.locator(".tk-survey")).to_be_visible()
    assert "Very happy" in customer.locator("main").inner_text(), customer.locator("main").inner_text()
    customer.get_by_role("radio", name=re.compile("Very happy")).check()
    customer.get_by_label("Anything to add? (optional)").fill("Quick and friendly")
    customer.get_by_role("button", name="Send my answer").click()
    expect(customer.locator(".tk-survey")).to_contain_text("Thank you")
    with system.graph_store() as store:
        assert store.experts.get(expert_id)["score"] == 5.0
        assert store.surveys.find(ticket_id)["comment"] == "Quick and friendly"
        assert store.assignment.bookings(expert_id) == [] or all(
            b["ticket_id"] != ticket_id for b in store.assignment.bookings(expert_id))


def test_a_refusal_sends_the_offer_to_the_next_expert(system, phone):
    product_id, _ = two_experts_for_customer_1(system)
    ticket_id = raise_for_customer_1(system, product_id, 23)
    first = offered_expert(system, ticket_id)
    log_in(phone, system.shell, f"expert{first}")
    offer = phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')
    offer.get_by_label("Why refuse?").select_option("Too far away")
    offer.get_by_role("button", name=re.compile("^Refuse")).click()
    expect(phone.locator(".xp-message")).to_contain_text("Refused")
    expect(phone.locator(f'.xp-offer[data-ticket-id="{ticket_id}"]')).to_have_count(0)
    second = offered_expert(system, ticket_id)
    assert second != first and second in (1, 2)
