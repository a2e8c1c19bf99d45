"""The ticketing fragment app in-process (fakes behind it): who may call what, CSRF, bad input, API."""
from __future__ import annotations

import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from foundation.tokens import Principal
from tests.support.keys import forge, mint

from .conftest import CSRF, NOW, PRINCIPALS, PRINTER, headers_for, service_headers

SAMPLE_ARGS = {"customer_id": 7, "ticket_id": 100000001, "filename": "ticketing.css", "token": "not.a.link"}
PUBLIC = {"meta.healthz", "static"}
GOOD_RAISE = {"product_id": "11", "description": "Printer jams on every page", "slots": ["2026-11-26 morning"]}


def routes(app):
    for rule in app.url_map.iter_rules():
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _bad_tokens():
    user = PRINCIPALS["admin"]
    tokens = {"forged": forge({"aud": "fragment:ticketing"}, signing_key=Ed25519PrivateKey.generate()),
              "expired": mint(user, "fragment:ticketing", now=lambda: 1_000_000),
              "other audience": mint(user, "bridge"),
              "a fragment names a user": forge({"aud": "fragment:ticketing", "role": "admin"}, issuer="experts")}
    return {"missing": {}, "garbage": {"Authorization": "Bearer nonsense"},
            **{why: {"Authorization": f"Bearer {token}"} for why, token in tokens.items()}}


def test_every_route_but_health_and_static_refuses_a_missing_forged_or_expired_token(fragment):
    app, _, _ = fragment
    client = app.test_client()
    checked = 0
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC:
            continue
        for why, headers in _bad_tokens().items():
            response = client.open(url, method=method, headers=headers)
            assert response.status_code == 401, (endpoint, method, why, response.status_code)
            checked += 1
    assert checked >= 5 * 14


@pytest.mark.parametrize("who", sorted(PRINCIPALS) + ["service:experts", "service:backfill"])
def test_each_caller_reaches_exactly_the_routes_granted_to_it(fragment, who):
    app, _, _ = fragment
    client = app.test_client()
    # One ticket to act on, raised by staff.
    client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre"))
    headers = service_headers(who.split(":")[1]) if who.startswith("service:") else headers_for(who)
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC or endpoint == "metrics":  # metrics: the scraper's own token, for nobody else (401)
            continue
        policy = app.view_functions[endpoint].fragment_policy
        principal = Principal("service", who.split(":")[1]) if who.startswith("service:") else PRINCIPALS[who]
        granted = (principal.subject in policy.services) if principal.is_service else (principal.role in policy.roles)
        response = client.open(url, method=method, headers=headers, json={} if "/api/" in url else None)
        if granted:
            assert response.status_code not in (401, 403) or (
                principal.role == "customer" and principal.customer_id != 7), (who, endpoint, response.status_code)
            assert response.status_code < 500, (who, endpoint, method, response.status_code)
        else:
            assert response.status_code == 403, (who, endpoint, method, response.status_code)


def test_customers_see_only_their_own_tickets_and_ids_cannot_be_probed(fragment):
    app, _, _ = fragment
    client = app.test_client()
    raised = client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("customer"))
    assert raised.status_code == 201
    assert client.get("/customers/7/tickets", headers=headers_for("other_customer")).status_code == 403
    assert client.get("/tickets/100000001", headers=headers_for("other_customer")).status_code == 404
    assert client.get("/tickets/100000001", headers=headers_for("customer")).status_code == 200
    assert client.get("/tickets/999999999", headers=headers_for("customer")).status_code == 404
    assert client.post("/customers/8/tickets", data=GOOD_RAISE, headers=headers_for("customer")).status_code == 403


def test_state_changes_need_the_csrf_token_bound_into_the_user_token(fragment):
    app, store, _ = fragment
    client = app.test_client()
    no_binding = headers_for("call_centre", csrf=False)
    assert client.post("/customers/7/tickets", data=GOOD_RAISE, headers=no_binding).status_code == 400
    wrong = {**headers_for("call_centre"), "X-CSRF-Token": "not-the-one"}
    assert client.post("/customers/7/tickets", data=GOOD_RAISE, headers=wrong).status_code == 400
    assert store.tickets == {}
    form_field = {k: v for k, v in headers_for("call_centre").items() if k != "X-CSRF-Token"}
    assert client.post("/customers/7/tickets", data={**GOOD_RAISE, "csrf_token": CSRF},
                       headers=form_field).status_code == 201


@pytest.mark.parametrize("form", [
    {}, {"product_id": "abc"}, {"product_id": "99999999999999"}, {"product_id": "²"},
    {"product_id": "11", "description": "x" * 5000, "slots": ["2026-11-26 morning"]},
    {"product_id": "11", "description": "Printer jams on every page", "slots": ["soon", "later"]},
    {"product_id": "13", "description": "Phone is not covered", "slots": ["2026-11-26 morning"]}])
def test_bad_raise_forms_re_render_with_messages_and_store_nothing(fragment, form):
    app, store, _ = fragment
    response = app.test_client().post("/customers/7/tickets", data=form, headers=headers_for("call_centre"))
    assert response.status_code == 422 and b'role="alert"' in response.data
    assert store.tickets == {}


def test_control_characters_in_a_form_are_refused_with_a_message_and_store_nothing(fragment):
    """No browser sends them from a text field; they are refused before any view (foundation.inbound)."""
    app, store, _ = fragment
    response = app.test_client().post("/customers/7/tickets", headers=headers_for("call_centre"), data={
        "product_id": "11", "description": "\x00" * 20, "slots": ["2026-11-26 morning"]})
    assert response.status_code == 400 and b'role="alert"' in response.data and b"control characters" in response.data
    assert store.tickets == {}


def test_unknown_customer_and_ticket_are_404_and_junk_filters_are_ignored(fragment):
    app, _, _ = fragment
    client = app.test_client()
    assert client.get("/customers/999/tickets/new", headers=headers_for("call_centre")).status_code == 404
    assert client.get("/tickets/5", headers=headers_for("call_centre")).status_code == 404
    assert client.get("/tickets?status=<script>&customer_id=abc", headers=headers_for("call_centre")).status_code == 200


def test_json_api_raise_accept_refuse_and_problem_bodies(fragment):
    app, _, _ = fragment
    client = app.test_client()
    staff = headers_for("call_centre")
    created = client.post("/api/v1/tickets", headers=staff, json={
        "customer_id": 7, "product_id": 11, "description": "Printer jams on every page",
        "slots": ["2026-11-26 morning"]})
    assert created.status_code == 201 and created.json["status"] == "offered"
    ticket_id = created.json["id"]
    offered_to = created.json["allocations"][0]["expert_id"]
    bad = client.post("/api/v1/tickets", headers=staff, json={"customer_id": 7, "product_id": 11, "slots": "x"})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert "slots" in {e["field"] for e in bad.json["errors"]}
    assert client.post("/api/v1/tickets", headers=staff, data="not json").status_code == 400
    other = "expert2" if offered_to == 1 else "expert"
    assert client.post(f"/api/v1/tickets/{ticket_id}/accept", headers=headers_for(other)).status_code == 404
    owner = "expert" if offered_to == 1 else "expert2"
    refused = client.post(f"/api/v1/tickets/{ticket_id}/refuse", headers=headers_for(owner), json={"reason": "ill"})
    assert refused.status_code == 200 and refused.json["allocations"][0]["state"] == "refused"
    again = client.post(f"/api/v1/tickets/{ticket_id}/refuse", headers=headers_for(owner), json={})
    assert again.status_code in (404, 409) and again.content_type == "application/problem+json"
    listed = client.get("/api/v1/tickets?status=bogus", headers=staff)
    assert listed.status_code == 400 and listed.content_type == "application/problem+json"
    mine = client.get("/api/v1/tickets", headers=headers_for("other_customer"))
    assert mine.status_code == 200 and mine.json["items"] == []


def test_detail_shows_the_timeline_and_staff_can_note_update_and_cancel(fragment):
    app, store, _ = fragment
    client = app.test_client()
    staff = headers_for("call_centre")
    client.post("/customers/7/tickets", data=GOOD_RAISE, headers=staff)
    detail = client.get("/tickets/100000001", headers=staff).get_data(as_text=True)
    for control in ("Follow-up note", "Save description", "Cancel ticket", f'value="{CSRF}"'):
        assert control in detail
    noted = client.post("/tickets/100000001/notes", data={"note": "Customer <b>called</b> back"}, headers=staff)
    assert noted.status_code == 200 and "Customer &lt;b&gt;called&lt;/b&gt; back" in noted.get_data(as_text=True)
    empty = client.post("/tickets/100000001/notes", data={"note": " "}, headers=staff)
    assert empty.status_code == 422 and "write the note first" in empty.get_data(as_text=True)
    stale = client.post("/tickets/100000001/description", data={"description": "Printer smokes now", "revision": "1"},
                        headers=staff)
    assert stale.status_code == 409
    cancelled = client.post("/tickets/100000001/cancel", data={"reason": "fixed itself"}, headers=staff)
    assert cancelled.status_code == 200 and "Ticket cancelled." in cancelled.get_data(as_text=True)
    assert store.get(100000001)["status"] == "cancelled" and store.bookings == {}
    again = client.post("/tickets/100000001/cancel", data={}, headers=staff)
    assert again.status_code == 409 and "cannot cancel" in again.get_data(as_text=True)
    customer_view = client.get("/tickets/100000001", headers=headers_for("customer")).get_data(as_text=True)
    assert "Cancel ticket" not in customer_view and "fixed itself" in customer_view


def test_staff_wait_on_the_customer_and_take_the_ticket_up_again(fragment):
    app, store, _ = fragment
    client = app.test_client()
    staff = headers_for("call_centre")
    client.post("/customers/7/tickets", data=GOOD_RAISE, headers=staff)
    ticket_id = max(store.tickets)
    store.tickets[ticket_id]["status"] = "assigned"
    assert "Wait on the customer" in client.get(f"/tickets/{ticket_id}", headers=staff).get_data(as_text=True)
    empty = client.post(f"/tickets/{ticket_id}/waiting", data={"reason": ""}, headers=staff)
    assert empty.status_code == 422 and "say what you are waiting for" in empty.get_data(as_text=True)
    assert client.post(f"/tickets/{ticket_id}/waiting", data={"reason": "x"},
                       headers=headers_for("customer")).status_code == 403
    waiting = client.post(f"/tickets/{ticket_id}/waiting", data={"reason": "the <b>serial</b> number"}, headers=staff)
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 200 and "deadlines are paused" in page and "Customer answered" in page
    assert "the &lt;b&gt;serial&lt;/b&gt; number" in page
    queue = client.get("/queue", headers=staff).get_data(as_text=True)
    assert "Waiting on the customer" in queue
    answered = client.post(f"/tickets/{ticket_id}/answered", headers=staff)
    assert answered.status_code == 200 and "The customer answered" in answered.get_data(as_text=True)
    assert client.post(f"/tickets/{ticket_id}/answered", headers=staff).status_code == 409


def test_the_customer_answers_the_survey_once_and_it_scores_the_expert(fragment):
    app, store, _ = fragment
    client = app.test_client()
    ticketing = app.extensions["fragment_services"]
    client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre"))
    assert client.get("/surveys/100000001", headers=headers_for("customer")).get_data(as_text=True).count(
        "no survey waiting") == 1  # not closed yet
    ticketing.assignment.accept(100000001, 1, "expert1")
    ticketing.orchestrator.close(100000001, 1, "expert1", "Replaced the fuser")
    panel = client.get("/customers/7/tickets", headers=headers_for("customer")).get_data(as_text=True)
    assert "Tell us how the visit for N-100000001 went" in panel
    assert client.get("/surveys/100000001", headers=headers_for("other_customer")).status_code == 404
    bad = client.post("/surveys/100000001", data={"answer-1": "9", "answer-2": "kept"}, headers=headers_for("customer"))
    assert bad.status_code == 422 and "choose a score" in bad.get_data(as_text=True)
    assert ">kept</textarea>" in bad.get_data(as_text=True)  # what was written is not lost
    done = client.post("/surveys/100000001", data={"answer-1": "4", "answer-2": "On time"},
                       headers=headers_for("customer"))
    assert done.status_code == 200 and "Thank you" in done.get_data(as_text=True)
    assert store.experts[1]["score"] == 4.0 and store.surveys[100000001]["comment"] == "On time"
    assert store.surveys[100000001]["template_version"] == 1
    again = client.post("/surveys/100000001", data={"answer-1": "1"}, headers=headers_for("customer"))
    assert "no survey waiting" in again.get_data(as_text=True) and store.surveys[100000001]["score"] == 4
    assert client.get("/surveys/100000001", headers=headers_for("call_centre")).status_code == 403


def test_a_description_over_the_limit_is_refused_with_a_message_and_kept_not_cut(fragment):
    app, store, _ = fragment
    client = app.test_client()
    form = client.get("/customers/7/tickets/new", headers=headers_for("call_centre")).get_data(as_text=True)
    textarea = form[form.index('<textarea id="tk-description"'):].split(">", 1)[0]
    assert "maxlength" not in textarea and "up to 4000 characters" in form  # the browser must not cut it silently
    long = "The printer jams. " * 250  # 4500 characters
    response = client.post("/customers/7/tickets", data={**GOOD_RAISE, "description": long},
                           headers=headers_for("call_centre"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "keep the description under 4000 characters" in page
    assert long.strip() in page and store.tickets == {}  # what they typed is still there to shorten


def test_customers_see_no_refusal_reasons_nor_who_inside_did_what(fragment):
    app, _, _ = fragment
    client = app.test_client()
    created = client.post("/api/v1/tickets", headers=headers_for("call_centre"), json={
        "customer_id": 7, "product_id": 11, "description": "Scanner will not wake up",
        "slots": ["2026-11-26 morning"]})
    ticket_id = created.json["id"]
    owner = "expert" if created.json["allocations"][0]["expert_id"] == 1 else "expert2"
    assert client.post(f"/api/v1/tickets/{ticket_id}/refuse", headers=headers_for(owner),
                       json={"reason": "customer was rude on the phone"}).status_code == 200
    client.post(f"/tickets/{ticket_id}/notes", headers=headers_for("customer"), data={"note": "Any news?"})
    internal = ("customer was rude", "callcentre", "expert1", "expert2", "refused", "system:")
    page = client.get(f"/tickets/{ticket_id}", headers=headers_for("customer")).get_data(as_text=True)
    api = json.dumps(client.get(f"/api/v1/tickets/{ticket_id}", headers=headers_for("customer")).json)
    for shown in (page, api):
        assert not [word for word in internal if word in shown], [word for word in internal if word in shown]
        assert "Sysops Squad" in shown and "Any news?" in shown
    assert "by You" in page
    staff_page = client.get(f"/tickets/{ticket_id}", headers=headers_for("call_centre")).get_data(as_text=True)
    assert "customer was rude on the phone" in staff_page and "callcentre" in staff_page


def test_received_is_answered_once_stored_and_the_offer_and_confirmation_follow_in_place(fragment):
    """"Received" claims only what is done when it is sent: the ticket is stored. The confirmation and
    the offer follow after the answer; the status part asks again until both are known, then stops."""
    import re

    app, store, bridge = fragment
    client = app.test_client()
    sent = client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre"))
    page = sent.get_data(as_text=True)
    assert sent.status_code == 201 and "received" in page and "confirmation will follow" in page
    assert "on its way" not in page and "finding an expert" in page
    poll = re.search(r'hx-get="([^"]*received-status[^"]*)"', page).group(1).replace("&amp;", "&")
    ticket_id = next(iter(store.tickets))
    assert store.tickets[ticket_id]["confirmed_at"] and store.tickets[ticket_id]["status"] == "offered"  # followed
    status = client.get(poll, headers=headers_for("call_centre")).get_data(as_text=True)
    assert "on its way" in status and "tk-offered-to" in status and "hx-get" not in status  # known: no more asking
    customer = client.get(poll, headers=headers_for("customer")).get_data(as_text=True)
    assert "tk-offered-to" not in customer and "arranging an expert" in customer


def test_received_keeps_asking_while_the_confirmation_cannot_be_queued(fragment, monkeypatch):
    """With the notifications service down, the page never says the confirmation was sent; it keeps
    asking (every second, then every 5 s, then stops). The worker's sweep confirms it later
    (tests/ticketing/test_services.py, tests/system/test_worker_outage.py)."""
    app, store, _ = fragment
    app.extensions["fragment_services"].assignment.notices.notifier.unavailable = True
    client = app.test_client()
    sent = client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre"))
    assert sent.status_code == 201
    ticket_id = next(iter(store.tickets))
    assert not store.tickets[ticket_id].get("confirmed_at")
    slow = client.get(f"/tickets/{ticket_id}/received-status?polls=30", headers=headers_for("call_centre"))
    text = slow.get_data(as_text=True)
    assert "confirmation will follow" in text and "slow to answer" in text and 'hx-trigger="load delay:5s"' in text
    assert "hx-get" not in client.get(f"/tickets/{ticket_id}/received-status?polls=60",
                                      headers=headers_for("call_centre")).get_data(as_text=True)


def test_a_raise_form_sent_twice_raises_one_ticket_and_a_new_form_another(fragment):
    """The form carries a raise key: a double click or a retry after a lost answer (a fail-over, a
    killed instance) finds the first ticket; the same key for another customer is another raise."""
    import re

    app, store, _ = fragment
    client = app.test_client()
    form = client.get("/customers/7/tickets/new", headers=headers_for("call_centre")).get_data(as_text=True)
    key = re.search(r'name="raise_key" value="([^"]+)"', form).group(1)
    first = client.post("/customers/7/tickets", data={**GOOD_RAISE, "raise_key": key}, headers=headers_for("call_centre"))
    again = client.post("/customers/7/tickets", data={**GOOD_RAISE, "raise_key": key}, headers=headers_for("call_centre"))
    assert first.status_code == again.status_code == 201
    assert len(store.tickets) == 1
    ticket_id = next(iter(store.tickets))
    assert f"N-{ticket_id}" in again.get_data(as_text=True)
    fresh = client.get("/customers/7/tickets/new", headers=headers_for("call_centre")).get_data(as_text=True)
    assert re.search(r'name="raise_key" value="([^"]+)"', fresh).group(1) != key
    client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre"))  # no key: a new one
    assert len(store.tickets) == 2


def test_a_tampered_raise_key_is_refused_with_a_message_and_a_fresh_key(fragment):
    import re

    app, store, _ = fragment
    response = app.test_client().post("/customers/7/tickets", data={**GOOD_RAISE, "raise_key": "short<>"},
                                      headers=headers_for("call_centre"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "send it again" in page
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", re.search(r'name="raise_key" value="([^"]*)"', page).group(1))
    assert store.tickets == {}


def test_the_api_raise_honours_an_idempotency_key(fragment):
    app, store, _ = fragment
    client = app.test_client()
    body = {"customer_id": 7, "product_id": 11, "description": "Printer jams on every page",
            "slots": ["2026-11-26 morning"]}
    keyed = {**headers_for("call_centre"), "Idempotency-Key": "retry-safe-client-0001"}
    first, again = (client.post("/api/v1/tickets", headers=keyed, json=body) for _ in range(2))
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert len(store.tickets) == 1
    bad = client.post("/api/v1/tickets", headers={**keyed, "Idempotency-Key": "x"}, json=body)
    assert bad.status_code == 422 and "raise_key" in {e["field"] for e in bad.json["errors"]}


def test_a_staff_panel_is_rendered_again_only_when_something_it_shows_changed(fragment):
    app, store, _ = fragment
    client = app.test_client()
    reads = []
    listing = store.list
    store.list = lambda **kw: reads.append(kw) or listing(**kw)
    first = client.get("/customers/7/tickets", headers=headers_for("call_centre"))
    again = client.get("/customers/7/tickets", headers=headers_for("call_centre"))
    assert first.status_code == again.status_code == 200 and again.data == first.data and len(reads) == 1
    raised = client.post("/customers/7/tickets", data={"product_id": PRINTER, "description": "Paper jam again",
                                                       "slots": ["2026-12-02 morning"]}, headers=headers_for("call_centre"))
    assert raised.status_code == 201
    reference = re.search(r"Ticket (N-\d+) received", raised.get_data(as_text=True)).group(1)
    listed = client.get("/customers/7/tickets", headers=headers_for("call_centre")).get_data(as_text=True)
    assert reference in listed  # a new ticket changes the version: rendered again
    ticket_id = int(reference[2:])
    store.update(ticket_id, changes={"status": "cancelled"}, actor="cc", action="status", detail="x", now=NOW)
    after = client.get("/customers/7/tickets", headers=headers_for("call_centre")).get_data(as_text=True)
    assert re.search(rf'data-ticket-id="{ticket_id}".*?tk-status-cancelled', after, re.S)  # a change too
    client.get("/customers/8/tickets", headers=headers_for("call_centre"))
    assert client.get("/customers/7/tickets", headers=headers_for("admin")).status_code == 200
    assert len(app.extensions["customer_panels"]) == 5  # per customer, version and role


def test_a_view_gets_its_own_fragments_services_typed_or_a_type_error_at_once():
    from flask import Flask

    from fragments.kit.bootstrap import SERVICES, services
    from fragments.ticketing.wiring import Ticketing

    app = Flask(__name__)
    app.extensions[SERVICES] = object()  # an app built with someone else's service set
    with app.app_context():
        with pytest.raises(TypeError, match="not a Ticketing"):
            services(Ticketing)


def ticket_id_of(answer) -> int:
    assert answer.status_code == 201, answer.text
    return int(re.search(r"Ticket N-(\d+) received", answer.text).group(1))


def test_the_staff_queue_lists_open_tickets_nearest_breach_first(fragment):
    """Customer 7's plan promises an expert within 16 working hours, customer 8's within 2: 8's ticket,
    raised after 7's, is nearer its breach and comes first; a ticket under a plan without terms is left out."""
    app, _, bridge = fragment
    customers = app.extensions["fragment_services"].management.customers
    for cid, plan, hours in ((7, 1, 16), (8, 2, 2)):
        bridge.contracts[cid][0]["plan"] = {"id": plan, "code": f"P{plan}", "name": f"Plan {plan}"}
        customers.terms[plan] = [{"from": "2000-01-01", "accept_hours": hours, "visit_days": 3, "weekdays": "mon-fri",
                                  "opens": "08:00", "closes": "18:00"}]
    client = app.test_client()
    slow = ticket_id_of(client.post("/customers/7/tickets", data=GOOD_RAISE, headers=headers_for("call_centre")))
    fast = ticket_id_of(client.post("/customers/8/tickets", data=GOOD_RAISE, headers=headers_for("call_centre")))
    page = client.get("/queue", headers=headers_for("call_centre")).text
    table = page[page.index("By time to breach"):page.index("<h2>Unassigned")]
    assert [int(i) for i in re.findall(r'data-ticket-id="(\d+)"', table)] == [fast, slow]
    assert "2 h 0 min left" in table and "Wed 25 Nov 2026, 11:00" in table


def test_raised_from_the_customers_panel_the_answer_fills_the_raise_area_and_adds_the_row_above_the_list(fragment):
    """From the customer's panel the form opens in its raise area (htmx names it in HX-Target) with the
    list still in view; "received" comes back there with the new ticket's row for the top of the list
    (out of band), and the list is not read again. A form sent from its own page gets the whole panel."""
    import re

    app, store, _ = fragment
    client = app.test_client()
    staff = headers_for("call_centre")
    panel = client.get("/customers/7/tickets", headers=staff).get_data(as_text=True)
    assert 'id="tk-raise-7"' in panel and 'hx-target="#tk-raise-7"' in panel and 'id="tk-rows-7"' in panel
    inline = {**staff, "HX-Request": "true", "HX-Target": "tk-raise-7"}
    form = client.get("/customers/7/tickets/new", headers=inline).get_data(as_text=True)
    assert "fragment-root" not in form and 'hx-target="#tk-raise-7" hx-swap="innerHTML"' in form
    refused = client.post("/customers/7/tickets", data={**GOOD_RAISE, "product_id": "13"}, headers=inline)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'role="alert"' in text and "fragment-root" not in text
    assert 'hx-target="#tk-raise-7"' in text and store.tickets == {}

    listed = []
    management = app.extensions["fragment_services"].management
    original = management.list
    management.list = lambda **kw: listed.append(kw) or original(**kw)
    sent = client.post("/customers/7/tickets", data=GOOD_RAISE, headers=inline)
    answer = sent.get_data(as_text=True)
    ticket_id = next(iter(store.tickets))
    assert sent.status_code == 201 and "received" in answer and "fragment-root" not in answer and listed == []
    row = re.search(r'<tbody hx-swap-oob="afterbegin:#tk-rows-7">(.*?)</tbody>', answer, re.S)
    assert row and f'data-ticket-id="{ticket_id}"' in row.group(1) and store.tickets[ticket_id]["reference"] in row.group(1)

    own_page = client.post("/customers/7/tickets", data=GOOD_RAISE, headers={**staff, "HX-Request": "true"})
    whole = own_page.get_data(as_text=True)
    assert own_page.status_code == 201 and "fragment-root" in whole and "hx-swap-oob" not in whole
    assert whole.count("data-ticket-id=") == 2 and listed  # the whole panel, its list read


def test_a_manager_changes_the_survey_and_a_refused_change_keeps_what_was_typed(fragment):
    app, store, _ = fragment
    client = app.test_client()
    page = client.get("/surveys/template", headers=headers_for("manager")).get_data(as_text=True)
    assert "How satisfied are you with the expert&#39;s visit?" in page and "Publish as version 2" in page
    assert client.get("/surveys/template", headers=headers_for("call_centre")).status_code == 403
    assert client.get("/surveys/template", headers=headers_for("customer")).status_code == 403
    rows = {"based_on": "1", "text": ["How satisfied are you?", "<b>Fixed</b> first time?", ""],
            "kind": ["score", "stars", "score"]}
    refused = client.post("/surveys/template", data=rows, headers=headers_for("manager"))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "choose a score or words" in body
    assert 'value="&lt;b&gt;Fixed&lt;/b&gt; first time?"' in body and store.templates == {}
    rows["kind"] = ["score", "score", "text"]
    done = client.post("/surveys/template", data=rows, headers=headers_for("manager"))
    assert done.status_code == 200 and "Version 2 is published" in done.get_data(as_text=True)
    assert [q["text"] for q in store.templates[("post-visit", 2)]["questions"]] == [
        "How satisfied are you?", "<b>Fixed</b> first time?"]
    stale = client.post("/surveys/template", data={**rows, "text": ["Happy?"], "kind": ["score"]},
                        headers=headers_for("manager"))
    assert stale.status_code == 422 and "nothing was published" in stale.get_data(as_text=True)
    assert sorted(store.templates) == [("post-visit", 1), ("post-visit", 2)]
