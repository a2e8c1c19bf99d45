"""The notifications service as real processes: its web app and worker beside the monolith, ticketing
and the graph, email into a real SMTP server, texts into the local gateway sink. Each test sets up
the customer's channel it relies on."""
from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
import requests

from foundation.mail import message_id
from foundation.tokens import Principal
from tests.support.keys import mint
from tests.support.legacy_customers import add_customers
from tests.support.local_system import MAIL_FROM, System, mailing_system
from tests.support.smtp import SmtpServer

from .conftest import StaffBrowser, ticket_id_of
from .journeys import admin_signed_in, locale_of, take_on_expert, text_seen


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp):
    yield from mailing_system(tmp_path_factory.mktemp("notify"), smtp.port, offer_timeout_s=60)


def mail_with(smtp: SmtpServer, subject: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in list(smtp.messages) if m["Subject"] == subject]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no mail {subject!r} within {timeout} s")


def texts_to(system: System, number: str, timeout: float = 30.0, containing: str = "") -> list[dict]:
    sink = system.root / "sms" / "texts.jsonl"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sink.exists():
            found = [json.loads(line) for line in sink.read_text().splitlines() if line.strip()]
            found = [t for t in found if t["to"] == number and containing in t["text"]]
            if found:
                return found
        time.sleep(0.05)
    raise AssertionError(f"no text to {number} containing {containing!r} within {timeout} s")


def api(system: System, method: str, path: str, service: str = "ticketing", **kwargs) -> requests.Response:
    token = mint(Principal("service", service), "fragment:notifications")
    return requests.request(method, f"{system.notifications}/api/v1{path}", timeout=15,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)


def choose_channel(system: System, customer_id: int, channel: str) -> None:
    """Staff set the customer's channel on the customer's page (the notifications slot, via the shell)."""
    staff = StaffBrowser(system.shell)
    answer = staff.http.post(f"{system.shell}/fragments/notifications/customers/{customer_id}/preferences",
                             data={"channel": channel, "send_reminder": "on", "send_survey": "on"}, timeout=20,
                             headers={"HX-Request": "true", "X-CSRF-Token": staff.csrf})
    assert answer.status_code == 200 and "Saved" in answer.text, answer.text


def legacy_customer(system: System, customer_id: int) -> dict:
    token = mint(Principal("service", "notifications"), "bridge")
    return requests.get(f"{system.bridge}/bridge/v1/customers/{customer_id}", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).json()


def raise_for(system: System, customer_id: int) -> int:
    staff = StaffBrowser(system.shell)
    products, slots = staff.raise_form(customer_id)
    answer = staff.raise_ticket(customer_id, products[0], slots[3:4])
    assert answer.status_code == 201, answer.text
    return ticket_id_of(answer)


def test_a_raise_is_confirmed_by_email_through_the_service_and_staff_see_it_on_the_customers_page(system, smtp):
    customer_id = add_customers(system.env["DATABASE_URL"], 1)[0]["id"]  # the test's own
    choose_channel(system, customer_id, "email")
    ticket_id = raise_for(system, customer_id)
    mail, = mail_with(smtp, f"We received ticket N-{ticket_id}")
    assert mail["To"] == legacy_customer(system, customer_id)["email"]
    assert mail["Message-ID"] == message_id(f"received:{ticket_id}", MAIL_FROM)  # the key's, as the legacy outbox's
    staff = StaffBrowser(system.shell)
    page = text_seen(staff, staff.http.get(f"{system.shell}/customers/{customer_id}", timeout=20))
    assert f"We received ticket N-{ticket_id}" in page and "Sent" in page
    outbox = StaffBrowser(system.shell).http.get(f"{system.shell}/outbox", timeout=20).text
    assert f"We received ticket N-{ticket_id}" in outbox


def test_a_customer_who_prefers_texts_gets_a_text_and_a_number_the_gateway_refuses_falls_back_to_email(system, smtp):
    customer, = add_customers(system.env["DATABASE_URL"], 1)  # the test's own
    customer_id = customer["id"]
    choose_channel(system, customer_id, "sms")
    phone = re.sub(r"[\s().-]", "", legacy_customer(system, customer_id)["phone"])
    key = f"system-sms-{time.time_ns()}"
    sent = api(system, "POST", "/messages", json={"key": key, "category": "confirmation", "subject": "By text",
                                                  "body": f"Text {key}", "recipient": {"kind": "customer", "id": customer_id}})
    assert sent.status_code == 202, sent.text
    assert texts_to(system, phone, containing=key)[0]["reference"] == key
    # An expert whose phone number the gateway refuses: the message goes by email instead, and says so.
    # The number is the experts service's (its published profile, read at every contact): set there, on
    # an expert the test takes on.
    expert_id = take_on_expert(system, admin_signed_in(system), customer["product_ids"][0],
                               locale_of(system.env["DATABASE_URL"]))
    with system.graph_store() as store:
        expert = store.backend.read("MATCH (x:Expert {id: $id}) RETURN x.email AS email", {"id": expert_id})[0]
        store.backend.write("MATCH (x:Expert {id: $id}) SET x.phone = 'not a number'", {"id": expert_id})
    assert expert["email"]
    fallback_key = f"system-fallback-{time.time_ns()}"
    answer = api(system, "POST", "/messages", json={"key": fallback_key, "category": "offer",
                                                    "subject": fallback_key, "body": "Offer",
                                                    "recipient": {"kind": "expert", "id": expert_id}})
    mail, = mail_with(smtp, fallback_key)
    assert mail["To"] == expert["email"]
    deadline = time.monotonic() + 15
    while (state := api(system, "GET", f"/messages/{answer.json()['id']}").json())["state"] != "sent":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert [h["outcome"] for h in state["history"]] == ["refused", "sent"] and state["channel"] == "email"


def test_with_the_monolith_frozen_for_30_s_the_confirmations_of_raises_still_go_out(system, smtp):
    """Raises stored a moment before the monolith's processes stop (SIGSTOP: they accept connections and
    never answer) are confirmed while it is frozen: the ticketing worker hands the confirmations to the
    notifications service, which sends them to customers it has met, without asking the monolith."""
    customer_id = add_customers(system.env["DATABASE_URL"], 1)[0]["id"]  # the test's own
    choose_channel(system, customer_id, "email")  # also copies the customer into the service
    system.kill("worker")  # the raises wait, stored and unconfirmed, until a worker runs again
    raised = [raise_for(system, customer_id) for _ in range(3)]
    frozen = [system.processes[name].pid for name in ("bridge", "shell")]
    for pid in frozen:
        os.killpg(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        system.start_worker()
        for ticket_id in raised:
            mail_with(smtp, f"We received ticket N-{ticket_id}", timeout=30.0 - (time.monotonic() - started))
        assert time.monotonic() - started < 30.0
    finally:
        for pid in frozen:
            os.killpg(pid, signal.SIGCONT)
