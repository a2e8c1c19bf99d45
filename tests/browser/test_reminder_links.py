"""A customer acts from the links in a visit's reminder, in a real Chromium and without logging in: one
reads the reminder from the real SMTP server and confirms; another reads it from the SMS sink and asks
for another slot (the booking is freed, assignment runs again). A used link, a tampered one: a clear
page, nothing changed. Reminders the day before go from midnight here (SYSOPS_REMINDER_DAY_BEFORE_AT),
so a visit tomorrow is reminded whatever the hour the test runs (and no quiet hours hold it)."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.support.local_system import System, mailing_system
from tests.support.smtp import SmtpServer

from ..system.test_notifications_system import choose_channel
from ..ticketing.test_links import flip
from .a11y import accessibility_problems
from .test_expert_day import customer_with_contract, expert_on_duty, legacy_visit


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp):
    # A day-before reminder goes from midnight and no quiet hours hold it: at once, whatever the hour.
    yield from mailing_system(tmp_path_factory.mktemp("reminders"), smtp.port, SYSOPS_REMINDER_DAY_BEFORE_AT="00:00",
                              SYSOPS_VISITS_SWEEP_SECONDS="0.5", SYSOPS_QUIET_HOURS="none")


def links_in(text: str) -> dict[str, str]:
    return {label: url for label, url in re.findall(r"^(Confirm|Ask for another slot|Cancel): (\S+)$",
                                                    text.replace("\r", ""), re.M)}


def mail_about(smtp: SmtpServer, reference: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in list(smtp.messages):
            if mail["Subject"] == f"Tomorrow: your visit for {reference}":
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no reminder for {reference}")


def text_about(system: System, phone: str, reference: str, timeout: float = 60.0) -> dict:
    sink = system.root / "sms" / "texts.jsonl"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sink.exists():
            for text in map(json.loads, sink.read_text().splitlines()):
                if text["to"] == phone and f"Tomorrow an expert comes for ticket {reference}" in text["text"]:
                    return text
        time.sleep(0.1)
    raise AssertionError(f"no reminder text for {reference}")


def tomorrow_noon() -> dt.datetime:
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(12))


def test_a_customer_confirms_from_the_emailed_reminder_and_the_link_then_is_spent(system, smtp, browser):
    expert_id = expert_on_duty(system).id
    customer = customer_with_contract(system)
    choose_channel(system, customer["id"], "email")
    ticket_id, reference = legacy_visit(system, expert_id, customer["id"], tomorrow_noon(), "Oven does not heat")
    mail = mail_about(smtp, reference)
    links = links_in(mail.get_payload(decode=True).decode())
    assert set(links) == {"Confirm", "Ask for another slot", "Cancel"}
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # not logged in
    page.set_default_timeout(15_000)
    try:
        page.goto(links["Confirm"])
        expect(page.get_by_role("heading", name="Confirm the visit")).to_be_visible()
        expect(page.locator(".tk-link-visit")).to_contain_text(reference)
        assert accessibility_problems(page, phone=True) == []
        page.get_by_role("button", name="Confirm the visit").click()
        expect(page.locator(".tk-message")).to_contain_text("the visit is confirmed")
        page.goto(links["Confirm"])
        expect(page.get_by_role("heading", name="This link was already used")).to_be_visible()
        expect(page.get_by_role("button")).to_have_count(0)
        tampered = flip(links["Cancel"], len(links["Cancel"]) - 20)  # a character of the signature
        page.goto(tampered)
        expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    finally:
        page.context.close()
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
    assert ticket.status == "assigned" and ticket.extra.get("visit_confirmed_at")


def test_a_customer_asks_for_another_slot_from_the_texted_reminder(system, browser):
    expert_id = expert_on_duty(system).id
    customer = customer_with_contract(system)
    choose_channel(system, customer["id"], "sms")
    ticket_id, reference = legacy_visit(system, expert_id, customer["id"], tomorrow_noon(), "Dryer stops at once")
    text = text_about(system, customer["phone"], reference)
    link = links_in(text["text"].replace(". Confirm", ".\nConfirm"))["Ask for another slot"]
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(link)
        expect(page.get_by_role("heading", name="Ask for another slot")).to_be_visible()
        page.get_by_role("button", name="Ask for another slot").click()  # nothing chosen: told, link not spent
        expect(page.locator(".tk-error")).to_contain_text("choose one to three")
        choice = page.locator('input[name="slots"]').nth(6)
        choice.check()
        wanted = choice.get_attribute("value")
        page.get_by_role("button", name="Ask for another slot").click()
        expect(page.locator(".tk-message")).to_contain_text("We are finding an expert")
        assert accessibility_problems(page, phone=True) == []
    finally:
        page.context.close()
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
        bookings = store.backend.read("MATCH (b:Booking {ticket_id: $id}) RETURN b.starts_at AS at", {"id": ticket_id})
    day, period = wanted.split(" ")
    assert ticket.slots == [dt.datetime.combine(dt.date.fromisoformat(day), dt.time(
        {"morning": 8, "afternoon": 12, "evening": 16}[period])).isoformat()]
    assert tomorrow_noon().isoformat() not in [b["at"] for b in bookings]  # the old booking is freed
    assert ticket.status in ("new", "offered", "unassigned")
