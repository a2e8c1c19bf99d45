"""Billing in a real Chromium (issue 29): a customer on a phone of this test's own sees last month's bill, a card
that cannot be right is refused with its message, a good one is added (only its last four digits are
shown, and kept), the bill is paid once; a manager of this test's own opens the financial report from
the navigation and finds the month with its CSV. Every page passes axe-core."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from fragments.customers.adapters.bills import GraphBills
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.domain.billing import Month
from fragments.customers.services.billing import Billing
from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.legacy_customers import add_customers

from .a11y import accessibility_problems
from .conftest import PHONE, log_in, settled


def test_a_customer_pays_last_months_bill_and_a_manager_reads_the_report(system, browser):
    url = system.env["DATABASE_URL"]
    mine = add_customers(url, 1)[0]
    customer = legacy_account(url, role="customer", customer_id=mine["id"]).username
    manager = legacy_account(url, role="manager").username
    month = str(Month.of(dt.date.today()).previous())
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()  # customers pay on phones
    page.set_default_timeout(15_000)
    log_in(page, system.shell, customer, PASSWORD)
    page.goto(f"{system.shell}/my")
    settled(page)
    page.get_by_role("link", name="Your bills, payments and cards").click()
    settled(page)
    expect(page.locator(".cu-billing")).to_contain_text("No bills yet.")
    with system.graph_store() as store:  # the month's run (start-up copied the legacy bills already)
        Billing(GraphBills(store.backend), LocalGateway(), dt.datetime.now).run(month)
    page.reload()
    settled(page)
    bill = page.locator(f'[data-bill="{mine["contract_id"]}:{month}"]')
    expect(bill).to_be_visible()
    billing = page.locator(".cu-billing")
    billing.get_by_label("Card number").fill("4242 4242 4242 4241")
    billing.get_by_label("Expiry (MM/YY)").fill("08/40")
    billing.get_by_role("button", name="Add this card").click()
    expect(page.locator(".cu-billing .cu-error").first).to_contain_text("a card number")
    expect(page.locator(".cu-billing").get_by_label("Card number")).to_have_value("")  # never shown again
    expect(page.locator(".cu-billing").get_by_label("Expiry (MM/YY)")).to_have_value("08/40")
    page.locator(".cu-billing").get_by_label("Card number").fill("4242 4242 4242 4242")
    page.locator(".cu-billing").get_by_role("button", name="Add this card").click()
    expect(page.locator(".cu-billing .cu-message")).to_contain_text("Card ending 4242 added.")
    settled(page)
    assert accessibility_problems(page, phone=True) == []  # 44 px targets, nothing scrolls sideways
    page.locator(f'[data-bill="{mine["contract_id"]}:{month}"]').get_by_role("button", name="Pay").click()
    expect(page.locator(".cu-billing .cu-message")).to_contain_text("Paid. Thank you.")
    expect(page.locator(f'[data-bill="{mine["contract_id"]}:{month}"]')).to_contain_text("Paid")
    with system.graph_store() as store:
        cards = store.backend.read("MATCH (m:PaymentMethod {customer_id: $id}) RETURN properties(m) AS m",
                                   {"id": mine["id"]})
        payments = GraphBills(store.backend).bill(f"{mine['contract_id']}:{month}")["payments"]
    assert [c["m"]["last4"] for c in cards] == ["4242"] and "4242424242424242" not in str(cards)
    assert len(payments) == 1

    boss = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    boss.set_default_timeout(15_000)
    log_in(boss, system.shell, manager, PASSWORD)
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    settled(boss)
    report = boss.locator(".cu-billing-report")
    report.get_by_label("From month").fill(month)
    report.get_by_label("To month").fill(month)
    report.get_by_role("button", name="Show").click()
    settled(boss)
    expect(boss.locator(f'.cu-report [data-month="{month}"]').first).to_be_visible()
    expect(boss.locator('.cu-report-totals [data-total="billed"]')).to_contain_text("£")
    assert "format=csv" in boss.get_by_role("link", name="Download as CSV").get_attribute("href")
    assert accessibility_problems(boss) == []
