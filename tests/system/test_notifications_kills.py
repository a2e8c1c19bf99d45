"""The kill matrix of the notifications service: its worker and its web process SIGKILLed, each several
times, under a steady stream of raises (each raise: a confirmation to the customer, an offer to an
expert), with visits' reminders falling due and experts tapping "On my way" meanwhile: no message
lost, at most one duplicate per kill of the worker, every message in a visible state throughout."""
from __future__ import annotations

import collections
import datetime as dt
import threading
import time

import pytest
import requests

from foundation.mail import message_id
from foundation.tokens import Principal
from tests.support.keys import mint
from tests.support.legacy_customers import add_customers
from tests.support.local_system import MAIL_FROM, System, mailing_system

from ..browser.test_expert_day import legacy_visit, next_visit
from .conftest import StaffBrowser, ticket_id_of
from .crew import two_experts
from .test_notifications_system import choose_channel

VISIBLE = {"queued", "sent", "delivered", "bounced", "failed", "suppressed", "returned"}


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp):
    yield from mailing_system(tmp_path_factory.mktemp("notify-kills"), smtp.port, SYSOPS_NOTIFY_LEASE_SECONDS="4",
                              SYSOPS_REMINDER_DAY_BEFORE_AT="00:00", SYSOPS_QUIET_HOURS="none",
                              SYSOPS_VISITS_SWEEP_SECONDS="0.5")


def message_id_of(mail) -> str:
    """The Message-ID as sent, unfolded (a long one is folded onto a second header line, RFC 5322)."""
    return "".join(str(mail["Message-ID"]).split())


def message_states(system: System) -> list[dict]:
    token = mint(Principal("service", "ticketing"), "fragment:notifications")
    answer = requests.get(f"{system.notifications}/api/v1/messages", timeout=15,
                          headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return answer.json()["items"]


def test_worker_and_web_killed_under_a_stream_of_raises_lose_nothing(system, smtp):
    crew = two_experts(system)  # the experts; four customers of the test's own on the crew's plan
    staff = StaffBrowser(system.shell)
    customers = []
    for made in add_customers(system.env["DATABASE_URL"], 4, product_ids=[crew.product_id], plan_id=crew.plan_id):
        products, slots = staff.raise_form(made["id"])
        customers.append((made["id"], products[0], slots))
    for customer_id, _, _ in customers:
        choose_channel(system, customer_id, "email")
    # Visits tomorrow (their reminders fall due at once here) and visits due now (their experts tap "On
    # my way" during the kills), each for a customer reached by email.
    tomorrow = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(12))
    soon = next_visit(dt.datetime.now())
    expert_ids = crew.expert_ids
    reminded = [legacy_visit(system, expert_ids[i % len(expert_ids)], customers[i][0], tomorrow, f"Reminded {i}")
                for i in range(3)]
    setting_off = [(legacy_visit(system, expert_ids[i], customers[i][0], soon, f"Set off {i}"), expert_ids[i])
                   for i in range(2)]
    taps = collections.deque(setting_off)
    raised: list[int] = []
    stop = threading.Event()

    def stream():
        browser = StaffBrowser(system.shell)
        n = 0
        while not stop.is_set():
            customer_id, product, slots = customers[n % len(customers)]
            answer = browser.raise_ticket(customer_id, product, [slots[3 + n % 10]])
            assert answer.status_code == 201, answer.text
            raised.append(ticket_id_of(answer))
            n += 1
            time.sleep(0.2)

    raising = threading.Thread(target=stream, daemon=True)
    raising.start()
    kills = collections.Counter()
    try:
        for round_ in range(3):
            while len(raised) < 4 * (round_ + 1):
                assert raising.is_alive(), "the stream of raises stopped: see its thread's error"
                time.sleep(0.05)
            system.kill("notifications-worker")
            kills["worker"] += 1
            if taps:  # an expert sets off while the worker is down: the message waits, stored
                (ticket_id, _), expert_id = taps.popleft()
                assert crew.expert(system.shell, expert_id).act(
                    f"/visits/{ticket_id}/on-my-way").status_code == 200
            states = {m["state"] for m in message_states(system)}
            assert states <= VISIBLE, states
            system.start_notifications(web=False, worker=True)
            if round_ < 2:
                system.kill("notifications")
                kills["web"] += 1
                time.sleep(0.5)  # raises go on meanwhile; ticketing's hand-overs fail and are retried
                system.start_notifications(web=True, worker=False)
                system.ready("notifications")
    finally:
        stop.set()
        raising.join(30)
    assert len(raised) >= 12 and kills == {"worker": 3, "web": 2}
    wanted = {message_id(f"received:{ticket_id}", MAIL_FROM): ticket_id for ticket_id in raised}
    wanted.update({message_id(f"remind:{ticket_id}:{tomorrow.isoformat()}:day_before", MAIL_FROM): ticket_id
                   for ticket_id, _ in reminded})
    wanted.update({message_id(f"on-my-way:{ticket_id}:{soon.isoformat()}", MAIL_FROM): ticket_id
                   for (ticket_id, _), _ in setting_off})
    deadline = time.monotonic() + 90
    while not set(wanted) <= {message_id_of(m) for m in list(smtp.messages)}:
        assert time.monotonic() < deadline, f"messages missing: {set(wanted) - {message_id_of(m) for m in smtp.messages}}"
        time.sleep(0.1)
    counts = collections.Counter(message_id_of(m) for m in list(smtp.messages) if message_id_of(m) in wanted)
    duplicates = {wanted[mid]: n for mid, n in counts.items() if n > 1}
    print(f"\nkill matrix: {len(raised)} raises, 3 reminders, 2 'on my way', kills {dict(kills)}, "
          f"duplicates {duplicates}")
    assert sum(n - 1 for n in duplicates.values()) <= kills["worker"], duplicates
    mine = [m for m in message_states(system) if m["key"].startswith("received:")
            and int(m["key"].split(":")[1]) in raised]
    assert len(mine) == len(raised) and {m["state"] for m in mine} == {"sent"}
