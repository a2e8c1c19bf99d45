"""The staff queue by time to breach, in a real Chromium: a ticket under a plan that promises an expert
within 4 working hours (Premium) comes before one raised earlier under a plan that promises 16
(Essential), with the time left on each. This test raises its own two tickets, for customers of the
demo data that hold those plans; any hour of any day orders them alike (Premium's week is Essential's
and Saturday more)."""
from __future__ import annotations

from playwright.sync_api import expect

from fragments.customers.published.customers_v1 import CustomerRows

from ..system.conftest import StaffBrowser, ticket_id_of
from .a11y import accessibility_problems
from .conftest import log_in, settled


def holder_of(system, staff: StaffBrowser, plan_code: str, taken: set[int]) -> tuple[int, str, list[str]]:
    """A customer holding a plan in force with a product it covers, and their form's slot choices."""
    with system.graph_store() as store:
        rows = CustomerRows(store.backend)
        for customer_id in range(1, 200):
            if customer_id in taken or rows.customer(customer_id) is None:
                continue
            if any(k["plan"]["code"] == plan_code and k["status"] == "active" for k in rows.contracts(customer_id)):
                products, slots = staff.raise_form(customer_id)
                covered = [p for p in products if any(
                    int(p) in k["product_ids"] and k["plan"]["code"] == plan_code for k in rows.contracts(customer_id))]
                if covered and slots:
                    return customer_id, covered[0], slots
    raise AssertionError(f"no customer of the demo data holds {plan_code} in force")


def test_the_queue_lists_the_ticket_nearest_its_breach_first(system, page):
    staff = StaffBrowser(system.shell)
    slow_customer, slow_product, slots = holder_of(system, staff, "ESSENTIAL", set())
    fast_customer, fast_product, fast_slots = holder_of(system, staff, "PREMIUM", {slow_customer})
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
