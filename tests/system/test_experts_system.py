"""The experts fragment against the real ticketing back end, graph and bridge (real processes)."""
from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from foundation import times
from foundation.tokens import Principal
from foundation.vocabulary import PERIODS
from shell_app.db import make_engine
from shell_app.models import Contract, LegacyTicket, TicketHistory, TicketSlot
from tests.graph.identity_support import PASSWORD
from tests.support.keys import mint

from .conftest import ALL_HALF_DAYS, ExpertBrowser, StaffBrowser, offered_expert, settled, ticket_id_of
from .crew import own_product, raise_for, two_experts
from .journeys import admin_signed_in, expert_with_account


def test_an_expert_cannot_see_or_act_on_another_experts_tickets(system):
    crew = two_experts(system)
    ticket_id = raise_for(system, crew, 30)
    owner = offered_expert(system, ticket_id)
    mine, theirs = crew.expert(system.shell, owner), crew.expert(system.shell, crew.other(owner))
    assert f'data-ticket-id="{ticket_id}"' in mine.page().text
    assert f'data-ticket-id="{ticket_id}"' not in theirs.page().text
    # Guessed URLs, through the experts pages and straight at the ticketing pages and API.
    assert theirs.page(f"/tickets/{ticket_id}").status_code == 404
    assert theirs.act(f"/offers/{ticket_id}/accept").status_code in (404, 409)
    assert theirs.act(f"/tickets/{ticket_id}/close", {"resolution": "not mine at all"}).status_code in (404, 409)
    assert theirs.act(f"/tickets/{ticket_id}/notes", {"note": "snooping"}).status_code in (404, 409)
    assert theirs.fragment(f"/tickets/{ticket_id}").status_code == 404
    assert theirs.http.get(f"{system.shell}/fragments/ticketing/tickets", timeout=10).status_code == 403
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
    assert [(a["expert_id"], a["state"]) for a in ticket["allocations"]] == [(owner, "offered")]
    assert not any(e["action"] == "note" for e in ticket["history"])
    # Without the CSRF token nothing happens either.
    forged = mine.http.post(f"{system.shell}/fragments/experts/offers/{ticket_id}/accept",
                            headers={"HX-Request": "true"}, timeout=10)
    assert forged.status_code == 400


def test_an_offer_times_out_on_the_experts_pages_and_goes_to_the_next_expert(system):
    crew = two_experts(system)
    ticket_id = raise_for(system, crew, 31)
    first = offered_expert(system, ticket_id)
    first_page = crew.expert(system.shell, first)
    assert f'data-ticket-id="{ticket_id}"' in first_page.page("/offers").text
    deadline = time.monotonic() + 20  # the system fixture's offers last 3 s
    while time.monotonic() < deadline and f'data-ticket-id="{ticket_id}"' in first_page.page("/offers").text:
        time.sleep(0.3)
    assert f'data-ticket-id="{ticket_id}"' not in first_page.page("/offers").text
    assert f'data-ticket-id="{ticket_id}"' in crew.expert(system.shell, crew.other(first)).page("/offers").text
    late = first_page.act(f"/offers/{ticket_id}/accept")
    assert late.status_code in (404, 409)


def test_profile_changes_take_effect_in_assignment_at_once(system):
    crew = two_experts(system)
    # A third expert, taken on for another product, signs in and changes their profile.
    admin = admin_signed_in(system)
    third, username = expert_with_account(system, admin, own_product(system, admin))
    expert = ExpertBrowser(system.shell, username, PASSWORD)
    form = expert.page("/profile").text
    assert "Products I can fix" in form
    # They take on the crew's product and its customer's locale, work every half-day: the crew goes off.
    with system.graph_store() as store:
        locale_id = store.bridge.get_customer(crew.customer_id)["locale"]["id"]
        for other in crew.expert_ids:
            store.experts.set_availability(other, [], [])
    assert expert.act("/profile/skills", {"skills": [str(crew.product_id)]}).status_code == 200
    assert expert.act("/profile/locales", {"locales": [str(locale_id)]}).status_code == 200
    assert expert.act("/profile/weekly", {"weekly": ALL_HALF_DAYS}).status_code == 200
    ticket_id = raise_for(system, crew, 32)
    assert offered_expert(system, ticket_id) == third
    bad = expert.act("/profile/weekly", {"weekly": ["9:midnight"]})
    assert bad.status_code == 422 and "choose half-days" in bad.text


def _legacy_assignment(system, customer_id: int, product_id: int, expert_id: int,
                       slots: list[dt.datetime]) -> tuple[int, str]:
    """Open legacy work as the monolith held it before the new ticketing was switched on: assigned to
    the expert, with the customer's slots (the legacy system never recorded which one was the visit)."""
    engine = make_engine(system.env["DATABASE_URL"])
    now = dt.datetime.now().replace(microsecond=0)
    try:
        with Session(engine) as db:
            contract = next(c for c in db.scalars(select(Contract).where(Contract.customer_id == customer_id))
                            if product_id in [p.id for p in c.products])
            ticket = LegacyTicket(reference=f"tmp-{now:%H%M%S%f}", customer_id=customer_id, contract_id=contract.id,
                                  product_id=product_id, description="Legacy visit booked by phone.",
                                  status="assigned", channel="phone", assigned_expert_id=expert_id,
                                  created_at=now, updated_at=now)
            db.add(ticket)
            db.flush()
            ticket.reference = f"T-{ticket.id:07d}"
            db.add_all(TicketSlot(ticket_id=ticket.id, starts_at=s) for s in slots)
            db.add(TicketHistory(ticket_id=ticket.id, at=now, actor="system:legacy-dispatch", action="assigned",
                                 detail=f"Assigned to expert {expert_id}"))
            db.commit()
            return ticket.id, ticket.reference
    finally:
        engine.dispose()


def _slot(label: str) -> dt.datetime:
    day, period = label.split()
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(PERIODS[period]))


def test_legacy_work_being_copied_by_another_caller_still_holds_its_slots(system):
    """A dispatch that meets open legacy work frozen by a concurrent migration (its copy not yet in the
    graph) must wait for that copy, not offer the expert the slot the legacy visit holds."""
    crew = two_experts(system)
    going, off = crew.expert_ids
    with system.graph_store() as store:
        store.experts.set_availability(off, [], [])  # the first is the only one who could go
    staff = StaffBrowser(system.shell)
    _, labels = staff.raise_form(crew.customer_id)
    held = labels[46]
    legacy_id, _ = _legacy_assignment(system, crew.customer_id, crew.product_id, going, [_slot(held)])
    token = mint(Principal("service", "backfill"), "bridge")  # a copier (the backfill), mid-way: frozen only
    frozen = requests.post(f"{system.bridge}/bridge/v1/legacy-tickets/freeze", json={"ids": [legacy_id]},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert frozen.status_code == 200 and frozen.json()["items"][0]["id"] == legacy_id
    response = staff.raise_ticket(crew.customer_id, str(crew.product_id), [held])
    assert response.status_code == 201
    ticket = settled(system, ticket_id_of(response), 30, lambda t: t if t["status"] != "new" else None)
    assert ticket["status"] == "unassigned" and ticket["allocations"] == [], ticket
    with system.graph_store() as store:
        assert store.tickets.find(legacy_id) is not None  # the copy the other caller had started, finished
        assert {b["key"]: b["ticket_id"] for b in store.offers.bookings(going)}[
            f"{going}@{_slot(held).isoformat()}"] == legacy_id


def test_open_legacy_work_binds_assignment_and_shows_on_my_work_with_its_time(system):
    crew = two_experts(system)
    going, off = crew.expert_ids
    with system.graph_store() as store:
        store.experts.set_availability(off, [], [])  # the first is the only one who could go
    staff = StaffBrowser(system.shell)
    _, labels = staff.raise_form(crew.customer_id)
    held = [labels[40], labels[41]]
    legacy_id, reference = _legacy_assignment(system, crew.customer_id, crew.product_id, going,
                                              [_slot(label) for label in held])

    # Four raises at once for the slots the legacy visit may be at: nobody may be offered them.
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda label: StaffBrowser(system.shell).raise_ticket(
            crew.customer_id, str(crew.product_id), [label]), held + held))
    assert [r.status_code for r in responses] == [201] * 4, [r.text[:200] for r in responses]
    for response in responses:  # each raise's dispatch runs just after its answer
        ticket = settled(system, ticket_id_of(response), 30, lambda t: t if t["status"] != "new" else None)
        assert ticket["status"] == "unassigned" and ticket["allocations"] == [], ticket
    with system.graph_store() as store:
        keys = {b["key"]: b["ticket_id"] for b in store.offers.bookings(going)}
    for label in held:
        assert keys[f"{going}@{_slot(label).isoformat()}"] == legacy_id  # the legacy ticket holds both slots

    # A slot the legacy work does not hold is offered to the same expert as usual.
    free = raise_for(system, crew, 44)
    assert offered_expert(system, free) == going

    # My work: the legacy visit is listed with its date and time.
    work = crew.expert(system.shell, going).page().text
    assert reference in work and times.slot(_slot(held[0])) in work  # the one format, half-day hours named
    detail = crew.expert(system.shell, going).page(f"/tickets/{legacy_id}").text
    assert times.slot(_slot(held[0])) in detail
