"""A customer changes their phone number on My account, in a real Chromium on a phone: a postcode that
cannot be right is refused with its message and saves nothing; the right details are saved, and the next
text message goes to the new number (the customers service owns the number; the notifications service
reads it at the next message). This test sets its own channel first."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from ..system.test_notifications_system import choose_channel, raise_for, texts_to
from .a11y import accessibility_problems
from .conftest import log_in, settled

NEW_NUMBER = "07700 900 555"


def test_a_customer_changes_their_phone_and_the_next_text_goes_there(system, phone):
    choose_channel(system, 1, "sms")  # where this test starts from: texts
    log_in(phone, system.shell, "customer1")
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
    ticket_id = raise_for(system, 1)
    text, = texts_to(system, NEW_NUMBER.replace(" ", ""), containing=f"N-{ticket_id}")  # the gateway's form
    assert re.search(rf"N-{ticket_id}", text["text"])
    phone.reload()
    settled(phone)
    expect(phone.locator(".cu-customer").get_by_label("Phone")).to_have_value(NEW_NUMBER)
