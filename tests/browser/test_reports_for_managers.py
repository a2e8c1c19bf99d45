"""A manager in a real Chromium: Reports in the legacy screen, a new date range, a CSV export that
matches the table on the screen."""
from __future__ import annotations

import csv
import datetime as dt
import io

from playwright.sync_api import expect

from foundation import times

from ..system.conftest import StaffBrowser
from ..system.crew import own_customer
from .a11y import accessibility_problems
from .conftest import log_in


def test_manager_changes_the_range_and_exports_the_table_as_shown(system, page):
    staff = StaffBrowser(system.shell)
    customer_id, products, slots = own_customer(system, staff)
    assert staff.raise_ticket(customer_id, products[0], slots[2:3]).status_code == 201  # something to count
    log_in(page, system.shell, "manager")
    page.get_by_role("link", name="Reports").click()
    slot = page.locator('[data-fragment-slot="reports/dashboard"]')
    expect(slot.locator('[data-fragment="reports"]')).to_be_visible()
    expect(slot.locator('[data-metric="lost"]')).to_have_text("0")
    assert accessibility_problems(page) == []
    # What has moved out of the monolith, part by part.
    parts = slot.locator('table[data-table="migration"]')
    for part in ("tickets", "experts' assignment facts", "knowledge base"):
        expect(parts.locator("td", has_text=part).first).to_be_attached()
    today = dt.date.today()
    first = (today - dt.timedelta(days=6)).isoformat()
    slot.get_by_label("From").fill(first)
    slot.get_by_label("To").fill(today.isoformat())
    slot.get_by_role("button", name="Show").click()
    expect(slot.locator(".rp-period")).to_contain_text(f"{times.day(first)} to {times.day(today)} (7 days)")
    assert accessibility_problems(page) == []
    assert int(slot.locator('[data-metric="raised"]').inner_text()) >= 1
    table = slot.locator('table[data-table="volume_state"]')
    # The table sits in a closed <details>: read its text, not what is painted.
    shown = [[cell.strip() for cell in row.locator("th, td").all_text_contents()] for row in table.locator("tr").all()]
    with page.expect_download() as download:
        slot.locator('table[data-table="volume_state"]').locator("xpath=ancestor::details/following-sibling::p[1]") \
            .get_by_role("link", name="Export CSV").click()
    exported = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert exported == shown
    assert download.value.suggested_filename == f"volume_state-{first}-{today.isoformat()}.csv"
