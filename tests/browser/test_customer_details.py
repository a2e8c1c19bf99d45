"""A customer changes their phone number on My account, in a real Chromium on a phone: a postcode that
cannot be right is refused with its message and saves nothing; the right details are saved, and the next
text message goes to the new number (the customers service owns the number; the notifications service
reads it at the next message). This test sets its own channel first. Staff on a customer's page read
the same details as facts and change them in place."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.graph.identity_support import PASSWORD, customer_signing_in, legacy_account
from tests.support.legacy_customers import add_customers

from ..system.test_notifications_system import choose_channel, raise_for, texts_to
from .a11y import accessibility_problems
from .conftest import log_in, settled

NEW_NUMBER = "07700 900 555"
STAFFS_NUMBER = "07700 900 556"  # the staff test's own: no text of the other test goes there


def test_a_customer_changes_their_phone_and_the_next_text_goes_there(system, phone):
    customer, username = customer_signing_in(system.env["DATABASE_URL"])  # the test's own
    choose_channel(system, customer["id"], "sms")  # where this test starts from: texts
    log_in(phone, system.shell, username, PASSWORD)
    phone.goto(f"{system.shell}/my")
    settled(phone)
    details = phone.locator(".cu-customer")
    expect(details.get_by_role("heading", name="Your details")).to_be_visible()
    expect(details.get_by_role("heading", name="Your support plans")).to_be_visible()
    assert accessibility_problems(phone, phone=True) == []
    old_number = details.get_by_label("Phone").input_value()
    details.get_by_label("Phone").fill(NEW_NUMBER)
    details.get_by_label("Postcode").fill("XYZ")
    details.get_by_role("button", name="Save details").click()
    expect(phone.locator(".cu-customer .cu-error").first).to_contain_text("cannot be right")
    expect(phone.locator(".cu-customer").get_by_label("Postcode")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(".cu-customer").get_by_label("Phone")).to_have_value(NEW_NUMBER)  # kept as typed
    phone.locator(".cu-customer").get_by_label("Postcode").fill("sw1a 1aa")
    phone.locator(".cu-customer").get_by_role("button", name="Save details").click()
    expect(phone.locator(".cu-customer .cu-message")).to_contain_text("Saved")
    expect(phone.locator(".cu-customer").get_by_label("Postcode")).to_have_value("SW1A 1AA")
    assert old_number != NEW_NUMBER
    ticket_id = raise_for(system, customer["id"])
    text, = texts_to(system, NEW_NUMBER.replace(" ", ""), containing=f"N-{ticket_id}")  # the gateway's form
    assert re.search(rf"N-{ticket_id}", text["text"])
    phone.reload()
    settled(phone)
    expect(phone.locator(".cu-customer").get_by_label("Phone")).to_have_value(NEW_NUMBER)


def test_staff_read_a_customers_details_as_facts_and_change_them_in_place(system, browser):
    """A call-centre agent of this test's own, on a customer of its own: the details and how the customer
    is reached read as facts (as the legacy screen showed them); "Change contact details" swaps the form in,
    a save swaps the facts back with the new number, and the new number is the one offered for texts."""
    url = system.env["DATABASE_URL"]
    mine = add_customers(url, 1)[0]
    agent = legacy_account(url, role="call_centre").username
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, system.shell, agent, PASSWORD)
        page.goto(f"{system.shell}/customers/{mine['id']}")
        settled(page)
        details = page.locator(".cu-customer")
        expect(details.locator(".cu-facts")).to_contain_text("Testham TE1 1ST")
        expect(details.get_by_label("Phone")).to_have_count(0)
        reached = page.locator(".nt-preferences")
        expect(reached.locator(".nt-facts")).to_contain_text("Email")
        assert accessibility_problems(page) == []
        details.get_by_role("link", name="Change contact details").click()
        form = page.locator(".cu-customer form")
        form.get_by_label("Phone").fill(STAFFS_NUMBER)
        form.get_by_role("button", name="Save details").click()
        expect(page.locator(".cu-customer .cu-message")).to_contain_text("Saved")
        expect(page.locator(".cu-customer .cu-facts")).to_contain_text(STAFFS_NUMBER)
        expect(page.locator(".cu-customer").get_by_label("Phone")).to_have_count(0)
        page.locator(".nt-preferences").get_by_role("link", name="Change how we reach them").click()
        page.locator(".nt-preferences").get_by_role("radio", name=f"Text message ({STAFFS_NUMBER})").check()
        page.locator(".nt-preferences").get_by_role("button", name="Save").click()
        expect(page.locator(".nt-preferences .nt-message")).to_contain_text("Saved")
        expect(page.locator(".nt-preferences .nt-facts")).to_contain_text("Text message")
        settled(page)
        assert accessibility_problems(page) == []
    finally:
        page.context.close()
