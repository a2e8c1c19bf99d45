"""Ticketing against the real thing: FalkorDB, the monolith and its bridge over HTTP, the fragment under
gunicorn behind the shell's same-origin route, and its worker; processes killed and restarted."""
from __future__ import annotations

import datetime as dt
import html
import re
import threading
import time

from tests.graph.identity_support import PASSWORD, customer_signing_in
from tests.support.legacy_customers import add_customers, open_legacy_ticket

from .conftest import StaffBrowser, offered_expert, settled, ticket_id_of
from .crew import own_customer, raise_for, two_experts


def _eligible(system, ticket) -> bool:
    """Independent check against the bridge: the offered expert has the skill and serves the locale."""
    import requests

    from foundation.tokens import Principal
    from tests.support.keys import mint  # imported here: as the module above

    token = mint(Principal("service", "ticketing"), "bridge")
    offer = next(a for a in ticket["allocations"] if a["state"] == "offered")
    expert = requests.get(f"{system.shell}/bridge/v1/experts/{offer['expert_id']}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"}).json()
    return (ticket["product_id"] in {s["product_id"] for s in expert["skills"]}
            and ticket["locale_id"] in expert["locale_ids"])


def _graph_ticket(system, ticket_id):
    with system.graph_store() as store:
        return store.tickets.get(ticket_id)


def test_staff_raise_in_the_embedded_fragment_is_stored_confirmed_and_offered(system):
    staff = StaffBrowser(system.shell)
    customer_id, products, slots = own_customer(system, staff)
    page = staff.http.get(f"{system.shell}/customers/{customer_id}", timeout=10).text
    assert 'data-fragment-slot="ticketing/customer-tickets" data-fragment-inlined' in page  # in the first paint
    response = staff.raise_ticket(customer_id, products[0], slots[3:6])
    assert response.status_code == 201 and response.headers["Vary"].count("HX-Request") >= 1
    assert "received" in response.text and "finding an expert" in response.text  # answered once stored
    ticket = settled(system, ticket_id_of(response), 30,
                     lambda t: t if t["status"] != "new" and t.get("confirmed_at") else None)
    actions = [e["action"] for e in ticket["history"]]
    assert actions[:2] == ["created", "confirmation_sent"]
    poll = re.search(r'hx-get="([^"]*received-status[^"]*)"', response.text).group(1).replace("&amp;", "&")
    status = staff.http.get(f"{system.shell}{poll}", headers={"HX-Request": "true"}, timeout=10)
    assert status.status_code == 200 and "on its way" in status.text and "hx-get" not in status.text
    if ticket["status"] == "offered":
        assert _eligible(system, ticket) and re.search(r"offered to <strong", status.text)
    else:
        assert ticket["status"] == "unassigned" and actions[-1] == "unassigned"
    listed = staff.fragment(f"/customers/{customer_id}/tickets").text
    assert ticket["reference"] in listed


def test_fragment_assets_are_kept_by_the_browser_and_revalidated_through_the_shell(system):
    """A composed page links one stylesheet naming each fragment's version (the shell's CSS and the
    fragments', fetched from the services): browsers keep it and ask no more. A fragment's own CSS
    stays reachable through the shell's proxy, where a conditional request is answered 304 by the fragment."""
    staff = StaffBrowser(system.shell)
    customer_id, _, _ = own_customer(system, staff)
    page = staff.http.get(f"{system.shell}/customers/{customer_id}", timeout=10).text
    href = html.unescape(re.search(r'<link rel="stylesheet" href="(/styles\.css\?shell=[^"]+)"', page).group(1))
    version = re.search(r"&ticketing=([^&]+)", href).group(1)
    sheet = staff.http.get(f"{system.shell}{href}", timeout=10)
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    own = staff.http.get(f"{system.shell}/fragments/ticketing/static/ticketing.css?v={version}", timeout=10)
    assert own.status_code == 200 and own.text.strip() in sheet.text  # the service's own file, whole
    assert "max-age=31536000" in own.headers["Cache-Control"] and "no-store" not in own.headers["Cache-Control"]
    again = staff.http.get(f"{system.shell}/fragments/ticketing/static/ticketing.css?v={version}",
                           headers={"If-None-Match": own.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""


def test_a_fragment_answer_that_did_not_change_is_a_304_through_the_shell(system):
    """Fragment HTML carries an ETag: the browser asks again with it, and unchanged content comes back
    as 304 with no body; once the customer's tickets change, the new content with a new ETag. Never
    kept by a shared cache, and cleared from the browser at sign-out."""
    staff = StaffBrowser(system.shell)
    customer_id, products, slots = own_customer(system, staff)
    first = staff.fragment(f"/customers/{customer_id}/tickets")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    same = staff.fragment(f"/customers/{customer_id}/tickets", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    page = staff.http.get(f"{system.shell}/fragments/ticketing/customers/{customer_id}/tickets",
                          headers={"If-None-Match": etag}, timeout=10)  # a full page: the shell's, never 304
    assert page.status_code == 200 and "<html" in page.text and "no-store" in page.headers["Cache-Control"]
    assert staff.raise_ticket(customer_id, products[0], slots[:3]).status_code == 201
    changed = staff.fragment(f"/customers/{customer_id}/tickets", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    out = staff.http.post(f"{system.shell}/logout", data={"csrf_token": staff.csrf}, allow_redirects=False,
                          timeout=10)
    assert out.status_code == 302 and out.headers["Clear-Site-Data"] == '"cache"'


def test_invalid_raise_re_renders_with_messages_and_stores_nothing(system):
    staff = StaffBrowser(system.shell)
    customer_id, products, _ = own_customer(system, staff)
    before = staff.fragment(f"/customers/{customer_id}/tickets").text.count("data-ticket-id")
    response = staff.post(f"/customers/{customer_id}/tickets", {"product_id": products[0], "description": "x"})
    assert response.status_code == 422 and "choose at least one appointment slot" in response.text
    assert staff.fragment(f"/customers/{customer_id}/tickets").text.count("data-ticket-id") == before
    forged = staff.http.post(f"{system.shell}/fragments/ticketing/customers/{customer_id}/tickets",
                             data={"product_id": products[0]}, headers={"HX-Request": "true"}, timeout=10)
    assert forged.status_code == 400


def test_a_direct_visit_to_a_fragment_url_gets_a_whole_shell_page(system):
    staff = StaffBrowser(system.shell)
    full = staff.http.get(f"{system.shell}/fragments/ticketing/tickets?status=unassigned", timeout=10)
    partial = staff.fragment("/tickets?status=unassigned")
    assert full.status_code == partial.status_code == 200
    assert "<html" in full.text and "legacy-header" in full.text and 'data-fragment="ticketing"' in full.text
    assert "<html" not in partial.text and 'data-fragment="ticketing"' in partial.text
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in partial.headers["Vary"]


def test_kill_9_right_after_the_acknowledgement_loses_nothing(system):
    staff = StaffBrowser(system.shell)
    customer_id, products, slots = own_customer(system, staff)
    response = staff.raise_ticket(customer_id, products[0], slots[6:7])
    ticket_id = ticket_id_of(response)
    system.kill("ticketing")
    assert staff.fragment(f"/tickets/{ticket_id}").headers.get("X-Fragment-Fallback") == "1"
    system.start_ticketing()
    detail = staff.fragment(f"/tickets/{ticket_id}")
    assert detail.status_code == 200 and f"N-{ticket_id}" in detail.text and "created" in detail.text
    # The confirmation and the offer were to follow the answer; the kill may have stopped them: the
    # worker's sweep finishes them (10 s after the raise), at least once and never lost.
    settled(system, ticket_id, 60, lambda t: t if t.get("confirmed_at") and t["status"] != "new" else None)
    assert "confirmation sent" in staff.fragment(f"/tickets/{ticket_id}").text


def test_concurrent_raises_for_one_slot_never_double_book(system):
    """Eight raises for one slot at once, with exactly two experts able to take it (the test's own, free
    at every slot): no expert slot is held twice, at most two are offered, the rest wait in the queue
    (an offer here times out after 3 s, so one may already have passed on when read)."""
    staff = StaffBrowser(system.shell)
    crew = two_experts(system)
    customer_id, products = crew.customer_id, [str(crew.product_id)]
    _, slots = staff.raise_form(customer_id)
    slot = slots[9]
    responses, failures = [], []
    sessions = [StaffBrowser(system.shell) for _ in range(8)]  # logged in before the race starts
    start = threading.Barrier(len(sessions))

    def raise_one(session):
        start.wait()
        try:
            responses.append(session.raise_ticket(customer_id, products[0], [slot]))
        except Exception as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=raise_one, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert [r.status_code for r in responses] == [201] * 8
    tickets = [settled(system, ticket_id_of(r), 30, lambda t: t if t["status"] != "new" else None) for r in responses]
    # Every offer ever made for the slot, with how long it held it (an offer here times out after 3 s and
    # passes on, so read the allocations, not the states of the moment): no two ever overlap.
    held: dict[int, list[tuple[str, str]]] = {}
    for ticket in tickets:
        for a in ticket["allocations"]:
            held.setdefault(a["expert_id"], []).append((a["at"], a["closed_at"] or "9999"))
    assert held and set(held) <= set(crew.expert_ids)  # the two experts set up here, and nobody else
    for spans in held.values():
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:])), spans
    assert all(t["status"] in ("offered", "unassigned") for t in tickets)


def test_a_raise_while_no_worker_runs_is_received_and_waits_visible_until_one_does(system):
    """"Received" needs only the store: with the worker down the ticket is answered and stays visible
    as `new`; the worker, once back, confirms and offers it."""
    crew = two_experts(system)
    system.kill("worker")
    try:
        ticket_id = raise_for(system, crew, 44)
        ticket = _graph_ticket(system, ticket_id)
        assert ticket["status"] == "new" and not ticket.get("confirmed_at")
    finally:
        system.start_worker()
    assert offered_expert(system, ticket_id) in crew.expert_ids
    assert _graph_ticket(system, ticket_id)["confirmed_at"]


def test_an_offer_times_out_and_is_re_offered_across_a_worker_restart(system):
    # Two experts are the only ones who serve the product, so there is always a next expert.
    crew = two_experts(system)
    ticket_id = raise_for(system, crew, 40)
    first_expert = offered_expert(system, ticket_id)  # by the worker, which then stops at once
    system.kill("worker")
    expires = dt.datetime.fromisoformat(_graph_ticket(system, ticket_id)["allocations"][0]["expires_at"])
    while dt.datetime.now() <= expires:  # the 3 s offer expires while no worker runs
        time.sleep(0.1)
    assert _graph_ticket(system, ticket_id)["allocations"][0]["state"] == "offered"
    system.start_worker()
    # The worker closes the offer (the ticket reads "unassigned" for a moment), then offers the next
    # expert: two writes, so wait for the second, or for a dispatch that ended in the queue. That offer
    # runs out after 3 s too, so on a busy machine it may be seen already timed out.
    ticket = settled(system, ticket_id, 30, lambda t: t if t["allocations"][0]["state"] == "timed_out" and (
        len(t["allocations"]) > 1 or t["history"][-1]["action"] == "unassigned") else None)
    assert ticket["allocations"][0]["state"] == "timed_out"
    assert ticket["allocations"][0]["expert_id"] == first_expert
    assert [(a["expert_id"], a["state"] in ("offered", "timed_out")) for a in ticket["allocations"][1:]] == [
        (crew.other(first_expert), True)], ticket["allocations"]
    assert ticket["status"] == ("offered" if ticket["allocations"][1]["state"] == "offered" else "unassigned")
    assert "timed_out" in [e["action"] for e in ticket["history"]]


def test_legacy_ticket_opened_through_the_fragment_is_migrated_and_then_read_only_in_legacy(system):
    staff = StaffBrowser(system.shell)
    detail = staff.fragment("/tickets/3")
    assert detail.status_code == 200 and "Migrated from the legacy system (lazy)" in detail.text
    legacy = staff.http.get(f"{system.shell}/tickets/3", timeout=10)
    assert legacy.status_code == 200 and 'data-fragment-slot="ticketing/ticket-detail"' in legacy.text


def test_a_customer_raises_on_the_web_and_sees_only_their_own_tickets(system):
    own, username = customer_signing_in(system.env["DATABASE_URL"])  # the test's own, with a plan
    customer = StaffBrowser(system.shell, username=username, password=PASSWORD)
    page = customer.http.get(f"{system.shell}/my", timeout=10).text
    customer_id = int(re.search(r'"/fragments/ticketing/customers/(\d+)/tickets', page).group(1))
    assert customer_id == own["id"]
    products, slots = customer.raise_form(customer_id)
    assert products, "their contract covers products"
    response = customer.raise_ticket(customer_id, products[0], slots[4:5])
    assert response.status_code == 201
    ticket = _graph_ticket(system, ticket_id_of(response))
    assert ticket["channel"] == "web" and ticket["customer_id"] == customer_id
    assert ticket["reference"] in customer.fragment(f"/customers/{customer_id}/tickets").text
    other = customer_id + 1
    assert customer.fragment(f"/customers/{other}/tickets").status_code == 403
    assert customer.http.get(f"{system.shell}/tickets/queue", timeout=10).status_code == 403


def test_a_refused_read_of_someone_elses_legacy_ticket_leaves_it_where_it_is(system):
    url = system.env["DATABASE_URL"]
    _, username = customer_signing_in(url)  # a customer of the test's own, signing in
    customer = StaffBrowser(system.shell, username=username, password=PASSWORD)
    someone_else = add_customers(url, 1)[0]["id"]
    others = [open_legacy_ticket(url, someone_else, f"Someone else's fridge, call {n}") for n in range(2)]
    for ticket_id in [*others, 99_999_999]:
        assert customer.fragment(f"/tickets/{ticket_id}").status_code == 404
    with system.graph_store() as store:
        for ticket_id in others:
            legacy = store.bridge.get_legacy_ticket(ticket_id)
            assert legacy["frozen_at"] is None and legacy["migrated_at"] is None
            assert store.tickets.find(ticket_id) is None


def test_a_customers_page_lists_each_ticket_once_during_the_migration(system):
    staff = StaffBrowser(system.shell)
    with system.graph_store() as store:
        ticket_id = next(iter(store.bridge.legacy_ticket_ids(migrated="false")))
        legacy = store.bridge.get_legacy_ticket(ticket_id)
    customer_page = f"{system.shell}/customers/{legacy['customer_id']}"
    assert legacy["reference"] in staff.http.get(customer_page, timeout=10).text  # still legacy: its table
    assert staff.fragment(f"/tickets/{ticket_id}").status_code == 200  # opened: it moves to the graph
    page = staff.http.get(customer_page, timeout=10).text
    panel = staff.fragment(f"/customers/{legacy['customer_id']}/tickets").text
    # in the panel only (inlined in the page's first paint), no longer in the page's legacy table
    assert legacy["reference"] in panel and page.count(legacy["reference"]) == panel.count(legacy["reference"])
    assert "Tickets in the legacy system" not in page or legacy["reference"] not in page.split(
        "Tickets in the legacy system", 1)[1]
