"""A customer chooses how we reach them on My account, in a real Chromium on a phone: the channel and
which optional messages they want; a staff member sees the choice and the messages sent on the
customer's page (as facts, the form one click away). Each test sets its own choice first."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.graph.identity_support import PASSWORD, customer_signing_in

from ..system.test_notifications_system import choose_channel
from .a11y import accessibility_problems
from .conftest import PHONE, log_in, settled


def test_a_customer_chooses_texts_and_no_surveys_and_staff_see_it(system, browser):
    customer, username = customer_signing_in(system.env["DATABASE_URL"])  # the test's own
    choose_channel(system, customer["id"], "email")  # where this test starts from
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, system.shell, username, PASSWORD)
        page.goto(f"{system.shell}/my")
        settled(page)
        form = page.locator(".nt-preferences")
        expect(form.get_by_role("heading", name="How we reach you")).to_be_visible()
        expect(form.get_by_role("radio", name=re.compile("^Email"))).to_be_checked()
        assert accessibility_problems(page, phone=True) == []
        form.get_by_role("radio", name=re.compile("^Text message")).check()
        form.get_by_label("A short survey after a visit").uncheck()
        form.get_by_role("button", name="Save").click()
        expect(page.locator(".nt-message")).to_contain_text("Saved")
        expect(page.locator(".nt-preferences").get_by_role("radio", name=re.compile("^Text message"))).to_be_checked()
        expect(page.locator(".nt-preferences").get_by_label("A short survey after a visit")).not_to_be_checked()
    finally:
        page.context.close()
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff.set_default_timeout(15_000)
    try:
        log_in(staff, system.shell, "callcentre")
        staff.goto(f"{system.shell}/customers/{customer['id']}")
        settled(staff)
        expect(staff.locator(".nt-preferences")).to_be_visible()
        facts = staff.locator(".nt-preferences .nt-facts")  # staff read the choice; the form opens on "Change"
        expect(facts).to_contain_text("Text message")
        expect(facts.locator("dt", has_text="A short survey after a visit").locator("+ dd")).to_have_text("Not sent")
        expect(staff.locator(".nt-customer-messages").get_by_role("heading", name="Messages to this customer")
               ).to_be_visible()
        assert accessibility_problems(staff) == []
    finally:
        staff.context.close()
