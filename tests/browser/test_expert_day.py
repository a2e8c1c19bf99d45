"""The expert's day on a phone, in a real Chromium at 360 and 390 px: today's visits in order with time,
address and product, the days after, and apart the visits whose slot ended unclosed (a legacy visit
long past among them); "On my way" in one tap, and the customer's text arriving. Each test books the
visits it looks at itself (open legacy tickets assigned to an expert, as the legacy dispatcher left
them), at any hour of the day."""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import NamedTuple

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from foundation.vocabulary import PERIODS, SLOT_LENGTH
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Contract, Customer, LegacyTicket, TicketSlot
from tests.graph.identity_support import PASSWORD
from tests.support.legacy_customers import add_customers

from ..system.conftest import _bridge
from ..system.journeys import TAKEN_ON_FIRST_NAME, admin_signed_in, expert_with_account
from ..system.test_notifications_system import choose_channel
from .a11y import accessibility_problems, broken_words
from .conftest import log_in


def next_visit(now: dt.datetime) -> dt.datetime:
    """The slot under way now, or else the next one to start (always within 12 hours)."""
    for day in (now.date(), now.date() + dt.timedelta(days=1)):
        for hour in sorted(PERIODS.values()):
            starts = dt.datetime.combine(day, dt.time(hour))
            if now < starts + SLOT_LENGTH:
                return starts
    raise AssertionError("no slot ahead")


def legacy_visit(system, expert_id: int, customer_id: int, starts_at: dt.datetime, description: str) -> tuple[int, str]:
    """An open legacy ticket assigned to the expert for one slot, as the legacy dispatcher books."""
    engine = make_engine(system.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            contract = session.scalars(select(Contract).where(Contract.customer_id == customer_id)).first()
            product_id = contract.products[0].id
            now = dt.datetime.now().replace(microsecond=0)
            ticket = LegacyTicket(reference=f"T-9{time.time_ns() % 10**6:06d}", customer_id=customer_id,
                                  contract_id=contract.id, product_id=product_id, description=description,
                                  status="assigned", channel="phone", assigned_expert_id=expert_id,
                                  created_at=starts_at - dt.timedelta(days=3), updated_at=now)
            session.add(ticket)
            session.flush()
            session.add(TicketSlot(ticket_id=ticket.id, starts_at=starts_at))
            session.commit()
            return ticket.id, ticket.reference
    finally:
        engine.dispose()


def customer_with_contract(system) -> dict:
    """A customer of the test's own, with a contract covering two of the catalogue's products."""
    customer_id = add_customers(system.env["DATABASE_URL"], 1)[0]["id"]
    engine = make_engine(system.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            customer = session.get(Customer, customer_id)
            return {"id": customer.id, "phone": re.sub(r"[\s().-]", "", customer.phone), "city": customer.city}
    finally:
        engine.dispose()


class OnDuty(NamedTuple):
    id: int
    first_name: str
    username: str  # their account (PASSWORD)


def expert_on_duty(system) -> OnDuty:
    """An expert of the test's own, taken on by an admin for the catalogue's first product, with an account."""
    product_id = _bridge(system, "/products").json()["items"][0]["id"]
    expert_id, username = expert_with_account(system, admin_signed_in(system), product_id)
    return OnDuty(expert_id, TAKEN_ON_FIRST_NAME, username)


@pytest.mark.parametrize("width", [360, 390])
def test_the_day_view_orders_visits_and_shows_a_past_legacy_visit_as_missed(system, browser, width):
    expert = expert_on_duty(system)
    expert_id = expert.id
    customer = customer_with_contract(system)
    now = dt.datetime.now()
    past_id, past_ref = legacy_visit(system, expert_id, customer["id"], dt.datetime.combine(
        now.date() - dt.timedelta(days=300), dt.time(16)), "Left in the legacy system ten months ago")
    soon_id, soon_ref = legacy_visit(system, expert_id, customer["id"], next_visit(now), "Fridge door seal leaks")
    later_id, later_ref = legacy_visit(system, expert_id, customer["id"], dt.datetime.combine(
        now.date() + dt.timedelta(days=5), dt.time(12)), "Washing machine drum noise")
    page = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, system.shell, expert.username, PASSWORD)
        missed = page.locator(f'.xp-missed-visits .xp-visit[data-ticket-id="{past_id}"]')
        expect(missed).to_be_visible()
        expect(missed).to_contain_text(past_ref)
        expect(missed.get_by_role("link", name="Record the outcome")).to_be_visible()
        expect(page.locator(f'.xp-today .xp-visit[data-ticket-id="{past_id}"], '
                            f'.xp-upcoming .xp-visit[data-ticket-id="{past_id}"]')).to_have_count(0)
        soon = page.locator(f'.xp-visit[data-ticket-id="{soon_id}"]')
        later = page.locator(f'.xp-upcoming .xp-visit[data-ticket-id="{later_id}"]')
        expect(soon).to_be_visible()
        expect(later).to_be_visible()
        expect(soon.locator(".xp-where")).to_contain_text(customer["city"])
        expect(soon.locator(".xp-when")).to_contain_text(re.compile(r"\d\d:00–\d\d:00"))
        # In order: the sooner visit comes first on the page; no line starts with a stray separator.
        assert soon.bounding_box()["y"] < later.bounding_box()["y"]
        for text in page.locator(".xp-visit .xp-what").all_inner_texts():
            assert not text.strip().startswith(("·", ":")), text
        assert accessibility_problems(page, phone=True) == []
        assert broken_words(page) == []
    finally:
        page.context.close()


def test_on_my_way_in_one_tap_and_the_customer_gets_the_text(system, browser):
    expert = expert_on_duty(system)
    expert_id, first_name = expert.id, expert.first_name
    customer = customer_with_contract(system)
    choose_channel(system, customer["id"], "sms")
    ticket_id, reference = legacy_visit(system, expert_id, customer["id"], next_visit(dt.datetime.now()),
                                        "Boiler shows error E119")
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, system.shell, expert.username, PASSWORD)
        page.get_by_role("button", name=f"On my way to {reference}").click()
        expect(page.locator(".xp-message")).to_contain_text("told you are on the way")
        expect(page.locator(f'.xp-visit[data-ticket-id="{ticket_id}"] .xp-sent')).to_be_visible()
        assert accessibility_problems(page, phone=True) == []
    finally:
        page.context.close()
    sink = system.root / "sms" / "texts.jsonl"
    deadline = time.monotonic() + 30
    while True:
        texts = [json.loads(line) for line in sink.read_text().splitlines()] if sink.exists() else []
        # (the visit's reminders may go to the same number meanwhile, when it is due this early)
        mine = [t for t in texts if t["to"] == customer["phone"] and reference in t["text"]
                and t.get("reference", "").startswith(f"on-my-way:{ticket_id}:")]
        if mine:
            break
        assert time.monotonic() < deadline, "the customer's text did not arrive"
        time.sleep(0.1)
    assert first_name in mine[0]["text"] and re.search(r"between \d\d:\d\d and \d\d:\d\d", mine[0]["text"])
