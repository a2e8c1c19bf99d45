"""Staff on the legacy screens, with the ticketing fragment embedded, in a real Chromium."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.support.legacy_customers import add_customers

from .a11y import accessibility_problems
from .conftest import log_in


def _customer_with_cover(system) -> int:
    """A customer of the test's own, covered for two of the catalogue's products."""
    return add_customers(system.env["DATABASE_URL"], 1)[0]["id"]


def test_staff_find_a_customer_raise_a_ticket_in_the_fragment_and_see_who_it_is_offered_to(system, page):
    customer_id = _customer_with_cover(system)
    log_in(page, system.shell)
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="Customers").click()
    page.get_by_label("Name, email, phone, postcode or id").fill(str(customer_id))
    page.get_by_role("button", name="Search").click()
    assert accessibility_problems(page) == []
    row = page.locator("table.legacy-table tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^{customer_id}$")))
    row.get_by_role("link").click()
    panel = page.locator('[data-fragment-slot="ticketing/customer-tickets"]')
    expect(panel.locator('[data-fragment="ticketing"]')).to_be_visible()  # in the first paint (or right after)
    assert accessibility_problems(page) == []
    panel.get_by_role("link", name="Raise a ticket").click()
    expect(panel.get_by_label("What is wrong?")).to_be_visible()
    assert accessibility_problems(page) == []
    panel.get_by_label("Product").select_option(index=1)
    panel.get_by_label("What is wrong?").fill("The display shows stripes after the update")
    panel.get_by_label("Choice 1").select_option(index=5)
    panel.get_by_label("Choice 2").select_option(index=6)
    panel.get_by_role("button", name="Raise ticket").click()
    received = panel.locator(".tk-received")
    expect(received).to_contain_text("received")
    # The fragment's CSS came in the page's one stylesheet, with the shell's own (ADR 0044), and applies.
    expect(page.locator('link[rel="stylesheet"]')).to_have_count(1)
    assert page.locator('link[rel="stylesheet"]').get_attribute("href").startswith("/styles.css?shell=")
    assert received.evaluate("e => getComputedStyle(e).borderTopWidth") == "2px"  # ticketing.css's .tk-received
    reference = re.search(r"N-(\d+)", received.inner_text()).group(0)
    ticket_id = int(reference[2:])
    # The panel lists the new ticket at once, under the confirmation: no reload needed.
    expect(panel.locator(f'tr[data-ticket-id="{ticket_id}"]')).to_contain_text(reference)
    # "Received" came back once the ticket was stored; the offer follows and the panel shows it by itself.
    expect(received.locator(".tk-finding")).to_have_count(0)
    expect(received).to_contain_text("a confirmation is on its way")
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
        if ticket["status"] == "offered":
            offer = next(a for a in ticket["allocations"] if a["state"] == "offered")
            name = store.experts.names([offer["expert_id"]])[offer["expert_id"]]
            expect(received.locator(".tk-offered-to")).to_have_text(name)
            expert = store.experts.get(offer["expert_id"])
            assert ticket["product_id"] in {s["product_id"] for s in expert["skills"]}
            assert ticket["locale_id"] in expert["locale_ids"]
        else:
            expect(received).to_contain_text("unassigned queue")
    assert page.url.endswith(f"/customers/{customer_id}")  # staff never left the legacy screen
    assert accessibility_problems(page) == []
    page.goto(f"{system.shell}/fragments/ticketing/tickets/{ticket_id}")  # a direct visit: a whole page
    expect(page.locator('[data-fragment="ticketing"]')).to_be_visible()
    assert accessibility_problems(page) == []


def test_with_ticketing_stopped_the_legacy_page_shows_the_fallback_and_recovers(system, page):
    customer_id = _customer_with_cover(system)
    log_in(page, system.shell)
    system.kill("ticketing")
    try:
        page.goto(f"{system.shell}/customers/{customer_id}")
        slot = page.locator('[data-fragment-slot="ticketing/customer-tickets"]')
        expect(slot.locator("[data-fragment-fallback]")).to_contain_text("cannot be shown right now")
        expect(page.get_by_role("heading", name="Contracts")).to_be_visible()  # the rest of the page works
        page.get_by_role("link", name="Customers").click()  # and so does navigation
        expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()
        page.go_back()
        expect(slot.locator("[data-fragment-fallback]")).to_be_visible()  # this slot's (the page has others)
    finally:
        system.start_ticketing()
    retry = slot.get_by_role("button", name="Retry")
    if retry.count():  # the page knew the slot's address: it retries in place
        retry.click()
    else:  # this shell worker had not read ticketing's manifest before it stopped: it asks again after 5 s
        deadline = time.monotonic() + 30
        while slot.get_by_role("link", name="Reload the page").count():
            assert time.monotonic() < deadline, "the page did not recover"
            slot.get_by_role("link", name="Reload the page").click()
            page.wait_for_load_state()
            time.sleep(0.5)  # polling: the manifest is asked for again at most every 5 s
    expect(slot.locator('[data-fragment="ticketing"]')).to_be_visible()
    expect(slot.locator("[data-fragment-fallback]")).to_have_count(0)
