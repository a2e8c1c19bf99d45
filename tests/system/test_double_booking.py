"""A legacy double booking (the legacy dispatcher gave one expert two visits in one slot) migrates, and
the conflict reaches staff: an alert (kept by the notifications service), both tickets at the top of the
queue, and one click reschedules one of them to another expert while the other keeps its booking. Real
processes throughout."""
from __future__ import annotations

import datetime as dt
import re
import time

import requests

from foundation.tokens import Principal
from tests.support.keys import mint

from ..browser.test_expert_day import legacy_visit
from .conftest import StaffBrowser, settled
from .crew import two_experts


def test_a_migrated_double_booking_reaches_staff_and_one_click_reschedules_it(system):
    crew = two_experts(system)  # the only two experts who serve the crew customer's product
    booked, other = crew.expert_ids
    staff = StaffBrowser(system.shell)
    _, slots = staff.raise_form(crew.customer_id)
    day, period = slots[6].split(" ")
    starts = dt.datetime.combine(dt.date.fromisoformat(day), dt.time({"morning": 8, "afternoon": 12, "evening": 16}[period]))
    first, first_ref = legacy_visit(system, booked, crew.customer_id, starts, "Router drops the connection")
    second, second_ref = legacy_visit(system, booked, crew.customer_id, starts, "Router lights all red")
    # The pair moves in the first time anything reads it: here, the expert opening their work (a dispatch
    # at that slot, the backfill or a cut-over would do the same); the worker's sweep finds it then.
    expert = crew.expert(system.shell, booked)
    assert expert.page("/").status_code == 200
    deadline = time.monotonic() + 60
    while True:
        queue = staff.fragment("/queue").text
        risky = dict(re.findall(r'data-ticket-id="(\d+)" data-risk="(\w+)"', queue))
        if risky.get(str(first)) == risky.get(str(second)) == "double_booked":
            break
        assert time.monotonic() < deadline, f"the pair did not reach the queue: {risky}"
        time.sleep(0.5)
    # The staff alerts, kept by the notifications service (ADR 0036), as staff read them there.
    token = mint(Principal("service", "ticketing"), "fragment:notifications")
    listed = requests.get(f"{system.notifications}/api/v1/staff-alerts", params={"limit": 200}, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert {first_ref, second_ref} <= {a["ticket_reference"] for a in listed if a["kind"] == "visit-at-risk"}
    answer = staff.post(f"/tickets/{second}/reschedule", {})
    assert answer.status_code == 200 and f"{second_ref} rescheduled" in answer.text, answer.text[:500]
    offered = settled(system, second, 30, lambda t: next(
        (a["expert_id"] for a in t["allocations"] if a["state"] == "offered"), None))
    assert offered == other  # the other expert: the first still holds the slot for the first ticket
    with system.graph_store() as store:
        kept = store.tickets.get(first)
    assert kept.status == "assigned" and kept.booking().expert_id == booked
