"""Around a booked visit, on in-memory stores with a hand-driven clock: reminders the day before and on
the morning (each once, with their links), the expert's day list, visits at risk (not accepted, not
set off, one expert's slot held for two tickets) flagged once and sent to staff."""
from __future__ import annotations

import datetime as dt

from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.services.visits import reminders_due

from .test_links import booked
from .test_links import world as links_world  # noqa: F401  (fixture)
from .test_services import PRINTER, THU_MORNING, sent
from .test_services import world as services_world  # noqa: F401  (fixture)

THU_8 = dt.datetime(2026, 11, 26, 8)


def test_which_reminders_are_due():
    wed = dt.datetime(2026, 11, 25, 9)
    assert reminders_due(THU_8, wed, dt.datetime(2026, 11, 25, 17, 59)) == []
    assert reminders_due(THU_8, wed, dt.datetime(2026, 11, 25, 18, 0)) == ["day_before"]
    assert reminders_due(THU_8, wed, dt.datetime(2026, 11, 26, 7, 0)) == ["day_before", "morning"]
    assert reminders_due(THU_8, dt.datetime(2026, 11, 25, 19), dt.datetime(2026, 11, 26, 7)) == ["morning"]  # booked late
    assert reminders_due(THU_8, wed, THU_8) == []  # the visit has started
    assert reminders_due(THU_8, wed - dt.timedelta(days=1), dt.datetime(2026, 11, 25, 0, 0), evening=dt.time(0)) == [
        "day_before"]


def test_reminders_go_once_each_with_their_links_and_the_expert_gets_the_day_list(links_world):  # noqa: F811
    _, clock, ticketing = links_world
    ticket = booked(ticketing)
    clock.now = dt.datetime(2026, 11, 25, 18, 30)
    assert ticketing.visits.sweep() == 1
    eve = sent(ticketing)[f"remind:{ticket.id}:2026-11-26T08:00:00:day_before"]
    assert eve["category"] == "reminder" and eve["subject"] == f"Tomorrow: your visit for {ticket.reference}"
    assert [line.split(": ")[0] for line in eve["body"].splitlines()[1:]] == ["Confirm", "Ask for another slot",
                                                                              "Cancel"]
    assert ticketing.visits.sweep() == 0  # recorded on the ticket: not again
    assert ticketing.management.get(ticket.id).history[-1]["action"] == "reminder_sent"
    clock.now = dt.datetime(2026, 11, 26, 7, 5)
    ticketing.visits.sweep()
    assert f"remind:{ticket.id}:2026-11-26T08:00:00:morning" in sent(ticketing)
    expert = ticket.booking().expert_id
    day = sent(ticketing)[f"day:{expert}:2026-11-26"]
    assert day["recipient"] == {"kind": "expert", "id": expert} and ticket.reference in day["body"]


def test_a_visit_nobody_set_off_for_goes_to_staff_once_and_leads_the_queue(links_world):  # noqa: F811
    store, clock, ticketing = links_world
    ticket = booked(ticketing)
    clock.now = dt.datetime(2026, 11, 26, 7, 29)
    ticketing.visits.sweep()
    assert "at_risk" not in ticketing.management.get(ticket.id).extra
    clock.now = dt.datetime(2026, 11, 26, 7, 31)
    ticketing.visits.sweep()
    ticketing.visits.sweep()
    assert ticketing.management.get(ticket.id).extra["at_risk"] == "not_on_the_way"
    alerts = ticketing.visits.staff_alerts.alerts
    assert [a["ticket_reference"] for a in alerts if a["kind"] == "visit-at-risk"] == [ticket.reference]


def test_an_offer_not_accepted_two_hours_before_the_slot_is_at_risk(services_world):  # noqa: F811
    _, _, clock, ticketing = services_world
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, PRINTER, "Printer jams", [THU_MORNING], "phone",
                                                              "callcentre"))
    clock.now = dt.datetime(2026, 11, 26, 6, 1)
    ticketing.visits.sweep()
    assert ticketing.management.get(ticket["id"]).extra["at_risk"] == "not_accepted"


def test_one_experts_slot_held_for_two_tickets_flags_both(links_world):  # noqa: F811
    store, clock, ticketing = links_world
    first = booked(ticketing)
    second = booked(ticketing)  # another expert takes it
    # As the legacy dispatcher left them: the second ticket booked to the first's expert, same slot.
    allocation = store.tickets[second.id]["allocations"][-1]
    allocation["expert_id"] = first.booking().expert_id
    ticketing.visits.sweep()
    flagged = {t: ticketing.management.get(t).extra.get("at_risk") for t in (first.id, second.id)}
    assert flagged == {first.id: "double_booked", second.id: "double_booked"}
    outcome = ticketing.orchestrator.reschedule(second.id, ["2026-11-26 morning"], "callcentre", "staff: at risk")
    again = ticketing.management.get(second.id)
    assert again.booking() is None and "at_risk" not in again.extra and outcome.outcome in ("offered", "unassigned")


def test_a_visit_leaves_the_top_of_the_queue_once_the_expert_sets_off(links_world):  # noqa: F811
    _, clock, ticketing = links_world
    ticket = booked(ticketing)
    clock.now = dt.datetime(2026, 11, 26, 7, 40)
    ticketing.visits.sweep()
    assert ticketing.management.get(ticket.id).extra["at_risk"] == "not_on_the_way"
    ticketing.orchestrator.on_my_way(ticket.id, ticket.booking().expert_id, "expert")
    ticketing.visits.sweep()
    after = ticketing.management.get(ticket.id)
    assert "at_risk" not in after.extra and after.history[-1]["action"] == "risk_cleared"


def test_the_day_list_is_handed_over_once_a_day(links_world):  # noqa: F811
    _, clock, ticketing = links_world
    booked(ticketing)
    clock.now = dt.datetime(2026, 11, 26, 7, 1)
    ticketing.visits.sweep()
    calls = len(ticketing.assignment.notices.notifier.batches)
    clock.now = dt.datetime(2026, 11, 26, 7, 2)
    ticketing.visits.sweep()
    ticketing.visits.sweep()
    assert len(ticketing.assignment.notices.notifier.batches) == calls  # nothing new to say: no call at all
