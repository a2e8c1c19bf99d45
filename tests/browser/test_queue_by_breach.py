"""The staff queue by time to breach, in a real Chromium: a ticket under a plan that promises an expert
within 4 working hours comes before one raised earlier under a plan that promises 16, with the time left
on each. This test makes both plans (every day 08:00-20:00), a customer on each and their tickets itself;
any hour of any day orders them alike."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.support.legacy_customers import add_customers

from ..system.conftest import StaffBrowser, ticket_id_of
from ..system.crew import product_and_plan
from ..system.journeys import admin_signed_in
from .a11y import accessibility_problems
from .conftest import log_in, settled


def holder_of(system, staff: StaffBrowser, admin: StaffBrowser, accept_hours: str) -> tuple[int, str, list[str]]:
    """A customer of the test's own, on a plan of its own whose contracts promise an expert's acceptance
    within `accept_hours` working hours (sold today, so under those terms): (id, product, slot choices)."""
    url = system.env["DATABASE_URL"]
    product_id, plan_id = product_and_plan(system, admin, accept_hours=accept_hours)
    customer_id = add_customers(url, 1, product_ids=[product_id], plan_id=plan_id, start=dt.date.today())[0]["id"]
    _, slots = staff.raise_form(customer_id)
    return customer_id, str(product_id), slots


def test_the_queue_lists_the_ticket_nearest_its_breach_first(system, page):
    staff = StaffBrowser(system.shell)
    admin = admin_signed_in(system)
    slow_customer, slow_product, slots = holder_of(system, staff, admin, "16")
    fast_customer, fast_product, fast_slots = holder_of(system, staff, admin, "4")
    slow = ticket_id_of(staff.raise_ticket(slow_customer, slow_product, slots[-1:]))  # raised first
    fast = ticket_id_of(staff.raise_ticket(fast_customer, fast_product, fast_slots[-1:]))
    log_in(page, system.shell, "callcentre")
    page.goto(f"{system.shell}/tickets/queue")
    settled(page)
    table = page.locator(".tk-breaches")
    expect(table.locator(f'tr[data-ticket-id="{fast}"]')).to_be_visible()
    expect(table.locator(f'tr[data-ticket-id="{slow}"]')).to_be_visible()
    order = [int(i) for i in table.locator("tbody tr[data-ticket-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.ticketId)")]
    assert order.index(fast) < order.index(slow), order
    expect(table.locator(f'tr[data-ticket-id="{fast}"]')).to_contain_text("left")
    assert accessibility_problems(page) == []
