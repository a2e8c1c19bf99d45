"""The experts fragment app in-process, with the ticketing use cases on in-memory fakes behind it:
who may call what, CSRF, what an expert sees and does, profile validation."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.experts.app import create_app
from fragments.experts.services.ports import TicketingError
from fragments.ticketing.domain.states import TransitionRefused
from fragments.ticketing.services.management import InvalidTicket, RaiseRequest
from fragments.ticketing.services.ports import TicketNotFound
from fragments.ticketing.wiring import build
from tests.support.bridge_directory import BridgeDirectory
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier

from ..support.keys import KEYS_DIR, mint
from ..support.memory_profiles import MemoryProfiles
from ..ticketing.conftest import NOW, PRINCIPALS, fake_world

CSRF = "session-csrf-token"


class InProcessTicketing:
    """The ticketing use cases called directly, with the ownership rules the ticketing API applies."""

    def __init__(self, ticketing):
        self.ticketing = ticketing

    def acting_as(self, principal: Principal, csrf: str):
        outer = self

        class Bound:
            def _mine(self, ticket_id):
                try:
                    ticket = outer.ticketing.management.get(ticket_id)
                except TicketNotFound:
                    raise TicketingError("no ticket", 404) from None
                if not any(a["expert_id"] == principal.expert_id and a["state"] in ("offered", "accepted")
                           for a in ticket["allocations"]):
                    raise TicketingError("no ticket", 404)
                return ticket.to_dict()  # what the ticketing API sends

            def my_tickets(self):
                return [outer.ticketing.management.get(t["id"]).to_dict()
                        for t in outer.ticketing.management.list(expert_id=principal.expert_id)]

            def get(self, ticket_id):
                return self._mine(ticket_id)

            def accept(self, ticket_id):
                self._mine(ticket_id)
                if not outer.ticketing.assignment.accept(ticket_id, principal.expert_id, principal.subject):
                    raise TicketingError("no open offer", 409)

            def refuse(self, ticket_id, reason):
                self._mine(ticket_id)
                outer.ticketing.assignment.refuse(ticket_id, principal.expert_id, principal.subject, reason)

            def add_note(self, ticket_id, note):
                self._mine(ticket_id)
                try:
                    outer.ticketing.management.add_note(ticket_id, note, principal.subject)
                except InvalidTicket as invalid:
                    raise TicketingError(str(invalid), 422, invalid.errors) from None

            def attach_article(self, ticket_id, article_id):
                self._mine(ticket_id)
                try:
                    outer.ticketing.management.attach_article(ticket_id, article_id, principal.subject)
                except InvalidTicket as invalid:
                    raise TicketingError(str(invalid), 422, invalid.errors) from None

            def articles(self, ticket_id):
                return outer.ticketing.stores.tickets.articles(ticket_id)

            def close(self, ticket_id, resolution):
                self._mine(ticket_id)
                try:
                    outer.ticketing.orchestrator.close(ticket_id, principal.expert_id, principal.subject, resolution)
                except InvalidTicket as invalid:
                    raise TicketingError(str(invalid), 422, invalid.errors) from None
                except TransitionRefused as refused:  # what the ticketing API answers: 409
                    raise TicketingError(str(refused), 409) from None

        return Bound()


def one_expert_profiles() -> MemoryProfiles:
    return MemoryProfiles({1: {"skills": [{"product_id": 11, "level": 4}], "locale_ids": [1], "weekly": ["3:morning"],
                               "off_dates": []}})


@pytest.fixture
def experts_app():
    store, bridge = fake_world()
    bridge.locale_list = [{"id": 1, "name": "English"}, {"id": 2, "name": "French"}]
    bridge.articles[5] = {"id": 5, "title": "Printer jams: clear the rollers", "product_id": 11,
                          "body": "Symptom: paper jams on every page.\n1. Open the rear tray\n2. Clean the rollers"}
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(bridge), clock=lambda: NOW, offer_timeout=dt.timedelta(minutes=10))
    profiles = one_expert_profiles()
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, ticketing=InProcessTicketing(ticketing),
                     bridge=bridge, profiles=profiles, directory=BridgeDirectory(bridge), clock=lambda: NOW)
    raised = ticketing.orchestrator.raise_ticket(RaiseRequest(7, 11, "Printer jams on every page",
                                                              ["2026-11-26 morning"], "phone", "callcentre"))
    return app, ticketing, profiles, raised["id"]


def headers(who: str, csrf: bool = True) -> dict[str, str]:
    principal = replace(PRINCIPALS[who], csrf_digest=csrf_digest(CSRF)) if csrf else PRINCIPALS[who]
    return {"Authorization": f"Bearer {mint(principal, 'fragment:experts')}", "X-CSRF-Token": CSRF,
            "X-Shell-CSRF": CSRF, "HX-Request": "true"}


def routes(app):
    for rule in app.url_map.iter_rules():
        sample = {"ticket_id": 100000001, "article_id": 5, "filename": "experts.css", "expert_id": 1}
        url = rule.build({name: sample[name] for name in rule.arguments},
                         append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_needs_a_valid_token_and_only_experts_get_in(experts_app):
    app, *_ = experts_app
    client = app.test_client()
    expired = mint(PRINCIPALS["expert"], "fragment:experts", now=lambda: 1_000_000)
    checked = 0
    for endpoint, method, url in routes(app):
        if endpoint in ("meta.healthz", "static", "meta.manifest_json"):
            continue
        for bad in ({}, {"Authorization": f"Bearer {expired}"},
                    {"Authorization": f"Bearer {mint(PRINCIPALS['expert'], 'fragment:ticketing')}"}):
            assert client.open(url, method=method, headers=bad).status_code == 401, (endpoint, bad)
        if endpoint == "metrics":  # only the scraper's own token opens it: any other is a 401, tested above
            continue
        admins_only = endpoint in ("views.roster", "views.take_on", "views.set_active")
        for who in ("call_centre", "manager", "customer", "expert" if admins_only else "admin"):
            assert client.open(url, method=method, headers=headers(who)).status_code == 403, (endpoint, who)
        service = {"Authorization": f"Bearer {mint(Principal('service', 'ticketing'), 'fragment:experts')}"}
        assert client.open(url, method=method, headers=service).status_code == 403, endpoint
        checked += 1
    assert checked >= 12


def test_the_offered_expert_sees_accepts_reads_articles_and_closes(experts_app):
    app, ticketing, _, ticket_id = experts_app
    client = app.test_client()
    home = client.get("/", headers=headers("expert")).get_data(as_text=True)
    assert f'data-ticket-id="{ticket_id}"' in home and 'data-seconds-left="600"' in home
    assert 'data-ticket-id' not in client.get("/offers", headers=headers("expert2")).get_data(as_text=True)
    assert client.post(f"/offers/{ticket_id}/accept", headers=headers("expert", csrf=False)).status_code == 400
    accepted = client.post(f"/offers/{ticket_id}/accept", headers=headers("expert"))
    assert accepted.status_code == 200 and "Accepted" in accepted.get_data(as_text=True)
    detail = client.get(f"/tickets/{ticket_id}", headers=headers("expert")).get_data(as_text=True)
    assert "Printer jams: clear the rollers" in detail
    assert client.get(f"/tickets/{ticket_id}", headers=headers("expert2")).status_code == 404
    assert client.post(f"/tickets/{ticket_id}/articles", data={"article_id": "5"},
                       headers=headers("expert")).status_code == 200
    short = client.post(f"/tickets/{ticket_id}/close", data={"resolution": "ok"}, headers=headers("expert"))
    assert short.status_code == 422 and "5 to 4000" in short.get_data(as_text=True)
    closed = client.post(f"/tickets/{ticket_id}/close", data={"resolution": "Cleaned the rollers"},
                         headers=headers("expert"))
    assert closed.status_code == 200 and "Closed" in closed.get_data(as_text=True)
    ticket = ticketing.management.get(ticket_id)
    assert ticket["status"] == "closed" and ticket["resolution"] == "Cleaned the rollers"
    assert ticketing.stores.offers.bookings == {}
    assert f"survey:{ticket_id}" in ticketing.assignment.notices.notifier.messages


def test_refusal_needs_a_reason_then_goes_to_the_next_expert(experts_app):
    app, ticketing, _, ticket_id = experts_app
    client = app.test_client()
    assert client.post(f"/offers/{ticket_id}/refuse", data={"reason": "bored"}, headers=headers("expert")).status_code == 422
    refused = client.post(f"/offers/{ticket_id}/refuse", data={"reason": "Too far away", "detail": "200 km"},
                          headers=headers("expert"))
    assert refused.status_code == 200
    ticket = ticketing.management.get(ticket_id)
    assert [(a["expert_id"], a["state"]) for a in ticket["allocations"]] == [(1, "refused"), (2, "offered")]
    assert ticket["allocations"][0]["reason"] == "Too far away: 200 km"


def test_profile_edits_are_validated_and_kept(experts_app):
    app, _, profiles, _ = experts_app
    client = app.test_client()
    page = client.get("/profile", headers=headers("expert")).get_data(as_text=True)
    assert "Products I can fix" in page and 'value="3:morning" checked' in page
    assert client.post("/profile/skills", data={"skills": ["11", "13"]}, headers=headers("expert")).status_code == 200
    assert [s["product_id"] for s in profiles.rows[1]["skills"]] == [11, 13]
    assert profiles.rows[1]["skills"][0]["level"] == 4  # an existing level is kept
    assert client.post("/profile/skills", data={"skills": ["999"]}, headers=headers("expert")).status_code == 422
    assert client.post("/profile/locales", data={}, headers=headers("expert")).status_code == 422
    assert client.post("/profile/time-off", data={"start": "2026-12-01", "end": "2026-12-02"},
                       headers=headers("expert")).status_code == 200
    assert profiles.rows[1]["off_dates"] == ["2026-12-01", "2026-12-02"]
    assert client.post("/profile/time-off/remove", data={"day": "2026-12-01"},
                       headers=headers("expert")).status_code == 200
    assert profiles.rows[1]["off_dates"] == ["2026-12-02"]
    bad = client.post("/profile/time-off", data={"start": "2026-11-01"}, headers=headers("expert"))
    assert bad.status_code == 422 and "past" in bad.get_data(as_text=True)


def test_the_offer_card_says_what_where_and_when_before_the_expert_answers(experts_app):
    app, _, _, ticket_id = experts_app
    card = app.test_client().get("/offers", headers=headers("expert")).get_data(as_text=True)
    assert f'data-ticket-id="{ticket_id}"' in card
    assert "Printer" in card and "Leeds" in card and "LS1 1AA" in card and "Printer jams on every page" in card
    assert "Thu 26 Nov 2026, morning (08:00–12:00)" in card  # the one time format, half-day hours named


def test_an_article_is_one_tap_from_the_ticket_and_can_be_attached_from_it(experts_app):
    app, ticketing, _, ticket_id = experts_app
    client = app.test_client()
    client.post(f"/offers/{ticket_id}/accept", headers=headers("expert"))
    detail = client.get(f"/tickets/{ticket_id}", headers=headers("expert")).get_data(as_text=True)
    assert f'href="/tickets/{ticket_id}/articles/5"' in detail
    page = client.get(f"/tickets/{ticket_id}/articles/5", headers=headers("expert")).get_data(as_text=True)
    assert "For <strong>Printer</strong>" in page and "<li>Clean the rollers</li>" in page
    assert f"Attach to {ticketing.management.get(ticket_id)['reference']}" in page
    assert client.get(f"/tickets/{ticket_id}/articles/5", headers=headers("expert2")).status_code == 404
    assert client.get(f"/tickets/{ticket_id}/articles/999", headers=headers("expert")).status_code == 404
    client.post(f"/tickets/{ticket_id}/articles", data={"article_id": "5"}, headers=headers("expert"))
    again = client.get(f"/tickets/{ticket_id}/articles/5", headers=headers("expert")).get_data(as_text=True)
    assert "Attached to" in again and "Attach to" not in again
