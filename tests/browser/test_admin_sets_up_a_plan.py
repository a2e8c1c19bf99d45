"""An admin sets up something new to sell, in a real Chromium: a product, a plan covering it with its
promises, and an expert who fixes it (ADR 0026). Staff sell the plan to a customer on their page, raise
a ticket for the product, and the new expert, the only one who fixes it, gets the offer by text and
accepts it from the link on their phone. Everything this test relies on it creates itself: a fresh
product nobody else fixes, and a customer of its own."""
from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import expect

from tests.support.legacy_customers import add_customers

from ..system.conftest import StaffBrowser, ticket_id_of
from ..system.test_notifications_system import texts_to
from .a11y import accessibility_problems
from .conftest import log_in, settled


def test_an_admin_sets_up_a_plan_and_an_expert_who_then_gets_the_offer(system, page, phone):
    tag = uuid.uuid4().hex[:5].upper()
    product, plan = f"Heat pump {tag}", f"Warm Home {tag}"
    number = f"07700900{int(tag, 16) % 1000:03d}"
    customer_id = add_customers(system.env["DATABASE_URL"], 1)[0]["id"]
    with system.graph_store() as store:
        area = store.bridge.get_customer(customer_id)["locale"]["name"]

    log_in(page, system.shell, "admin")
    page.goto(f"{system.shell}/admin/catalogue")
    settled(page)
    page.locator("summary", has_text="New product").click()
    form = page.locator("#new-product")
    form.get_by_label("SKU").fill(f"HP-{tag}")
    form.get_by_label("Name").fill(product)
    form.get_by_label("Category").fill("Heating")
    form.get_by_label("Manufacturer").fill("Kestrel")
    form.get_by_role("button", name="Add product").click()
    expect(page.locator(".cu-message")).to_contain_text("Product added")
    settled(page)

    page.locator("summary", has_text="New plan").click()
    form = page.locator("#new-plan")
    form.get_by_label("Code").fill(f"WARM{tag}")
    form.get_by_label("Name", exact=True).fill(plan)
    form.get_by_label("Price a month (£)").fill("7.50")
    form.get_by_label("Expert accepted within").fill("0")  # contradicts itself: refused, nothing lost
    form.get_by_label(product).check()
    form.get_by_role("button", name="Add plan").click()
    expect(page.locator("#new-plan .cu-error").first).to_contain_text("working hours from 0.5 to 240")
    form = page.locator("#new-plan")
    expect(form.get_by_label("Code")).to_have_value(f"WARM{tag}")  # what was typed is still there
    form.get_by_label("Expert accepted within").fill("6")
    form.get_by_role("button", name="Add plan").click()
    expect(page.locator(".cu-message")).to_contain_text("Plan added")
    expect(page.locator(f'tr[data-plan="WARM{tag}"]')).to_contain_text("expert within 6 h")
    settled(page)
    assert accessibility_problems(page) == []

    page.goto(f"{system.shell}/experts")
    settled(page)
    page.locator("summary", has_text="Take on an expert").click()
    form = page.locator(".xp-roster form").first
    form.get_by_label("First name").fill("Ada")
    form.get_by_label("Last name").fill(f"Okafor {tag}")
    form.get_by_label("Email").fill(f"ada.{tag.lower()}@example.com")
    form.get_by_label("Mobile (offers are texted to it)").fill(number)
    form.get_by_label(product).check()
    form.get_by_label(area, exact=True).check()
    for half_day in form.locator('input[name="weekly"]').all():
        half_day.check()
    form.get_by_role("button", name="Take on").click()
    expect(page.locator(".xp-roster .xp-message")).to_contain_text("is taken on")
    settled(page)

    log_in(page, system.shell, "callcentre")
    page.goto(f"{system.shell}/customers/{customer_id}")
    settled(page)
    page.locator(".cu-customer summary", has_text="Sell a plan").click()
    choice = page.locator("#cu-sell-plan option", has_text=plan).get_attribute("value")
    page.locator("#cu-sell-plan").select_option(choice)
    page.get_by_role("button", name="Sell this plan").click()
    expect(page.locator(".cu-customer .cu-message")).to_contain_text("Sold")
    expect(page.locator(".cu-customer .cu-plans")).to_contain_text(product)

    staff = StaffBrowser(system.shell)
    form_html = staff.fragment(f"/customers/{customer_id}/tickets/new").text
    product_id = re.search(rf'<option value="(\d+)"[^>]*>\s*{re.escape(product)}', form_html).group(1)
    slots = re.findall(r'<option value="(\d{4}-\d\d-\d\d \w+)"', form_html)
    ticket_id = ticket_id_of(staff.raise_ticket(customer_id, product_id, slots[2:4]))

    offer, *_ = texts_to(system, number, timeout=60, containing=f"N-{ticket_id}")
    link = re.search(r"Accept: (\S+)", offer["text"]).group(1)
    phone.goto(link)
    settled(phone)
    phone.get_by_role("button").first.click()
    expect(phone.locator('.tk-message[role="status"]')).to_be_visible()
    deadline, status = time.monotonic() + 30, None
    while status != "assigned" and time.monotonic() < deadline:
        with system.graph_store() as store:
            status = store.backend.read("MATCH (t:Ticket {id: $id}) RETURN t.status AS s", {"id": ticket_id})[0]["s"]
        time.sleep(0.1)
    assert status == "assigned"
