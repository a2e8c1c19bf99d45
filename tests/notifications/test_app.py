"""The notifications fragment app in-process (in-memory ports behind it): who may call what, CSRF,
bad input as problem bodies, the screens."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from foundation.tokens import Principal, csrf_digest
from fragments.notifications.app import create_app
from fragments.notifications.domain.messages import Channel, Recipient, State
from fragments.notifications.domain.routing import Contact
from fragments.notifications.wiring import build
from tests.support.keys import KEYS_DIR, forge, mint
from tests.support.memory_notifications import MemoryMessages, MemoryRecipients, MemoryStaffAlerts, RecordingChannels

AUDIENCE = "fragment:notifications"
CSRF = "session-csrf-token"
NOW = dt.datetime(2026, 12, 3, 10, 0)
PEOPLE = {
    "call_centre": Principal("user", "callcentre", "call_centre"),
    "admin": Principal("user", "admin", "admin"),
    "manager": Principal("user", "manager", "manager"),
    "customer": Principal("user", "customer7", "customer", customer_id=7),
    "other_customer": Principal("user", "customer8", "customer", customer_id=8),
    "expert": Principal("user", "expert1", "expert", expert_id=1),
}


def user(who: str, csrf: bool = True) -> dict[str, str]:
    principal = replace(PEOPLE[who], csrf_digest=csrf_digest(CSRF))
    headers = {"Authorization": f"Bearer {mint(principal, AUDIENCE)}", "X-Shell-CSRF": CSRF, "HX-Request": "true"}
    return {**headers, "X-CSRF-Token": CSRF} if csrf else headers


def service(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(Principal('service', name), AUDIENCE)}"}


@pytest.fixture
def app():
    recipients = MemoryRecipients()
    recipients.person(Recipient("customer", 7), Contact("Ada Lovelace", "ada@example.com", "+447700900001"))
    recipients.person(Recipient("customer", 8), Contact("Bob Byte", "bob@example.com", "+447700900002"))
    channels = RecordingChannels()
    n = build(MemoryMessages(), recipients, channels, lambda: NOW, alerts=MemoryStaffAlerts())
    flask_app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, notifications=n)
    flask_app.extensions["test_channels"] = channels
    return flask_app


def message(key: str = "received:100000001", customer: int = 7, **extra) -> dict:
    return {"key": key, "category": "confirmation", "recipient": {"kind": "customer", "id": customer},
            "subject": "We received ticket N-100000001", "body": "Ticket N-100000001 is received.", **extra}


def test_every_route_but_health_and_static_refuses_a_missing_forged_or_expired_token(app):
    client = app.test_client()
    tokens = {"forged": forge({"aud": AUDIENCE}, signing_key=Ed25519PrivateKey.generate()),
              "expired": mint(PEOPLE["admin"], AUDIENCE, now=lambda: 1_000_000),
              "other audience": mint(PEOPLE["admin"], "fragment:ticketing")}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("meta.healthz", "static"):
            continue
        url = rule.build({a: 7 if a == "customer_id" else "abc" for a in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for why, token in {"missing": None, **tokens}.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                answer = client.open(url, method=method, headers=headers)
                assert answer.status_code == 401, (rule.endpoint, method, why)
                checked += 1
    assert checked >= 4 * 12


def test_services_hand_messages_over_once_per_key(app):
    client = app.test_client()
    first = client.post("/api/v1/messages", json=message(), headers=service("ticketing"))
    again = client.post("/api/v1/messages", json=message(), headers=service("ticketing"))
    other = client.post("/api/v1/messages", json=message(body="Another text"), headers=service("ticketing"))
    assert first.status_code == 202 and again.status_code == 200 and other.status_code == 409
    assert first.json["id"] == again.json["id"] and first.json["state"] == "queued"
    assert other.mimetype == "application/problem+json"


def test_a_batch_answers_per_item_and_a_malformed_item_stores_nothing(app):
    client = app.test_client()
    bad = client.post("/api/v1/messages/batch", json={"items": [message("a-good-key-1"), message("bad", customer=-1)]},
                      headers=service("ticketing"))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"items[1].key", "items[1].recipient"}
    assert client.get("/api/v1/messages", headers=service("ticketing")).json["items"] == []
    good = client.post("/api/v1/messages/batch", json={"items": [message("a-good-key-1"), message("a-good-key-1"),
                                                                 message("a-good-key-2", customer=8)]},
                       headers=service("ticketing"))
    assert [o["status"] for o in good.json["items"]] == [202, 200, 202]
    for body in (None, {"items": []}, {"items": "x"}, [1, 2]):
        answer = client.post("/api/v1/messages/batch", json=body, headers=service("ticketing"))
        assert answer.status_code in (400, 422) and answer.mimetype == "application/problem+json"
    assert client.post("/api/v1/messages", data="not json", headers=service("ticketing")).status_code == 400


@pytest.mark.parametrize("who, allowed", [("ticketing", True), ("shell", True), ("experts", True)])
def test_which_services_may_send(app, who, allowed):
    answer = app.test_client().post("/api/v1/messages", json=message(), headers=service(who))
    assert (answer.status_code == 202) == allowed


def test_users_cannot_send_and_a_customer_reads_only_their_own_messages(app):
    client = app.test_client()
    assert client.post("/api/v1/messages", json=message(), headers=user("admin")).status_code == 403
    sent = client.post("/api/v1/messages", json=message(), headers=service("ticketing")).json
    assert client.get(f"/api/v1/messages/{sent['id']}", headers=user("customer")).status_code == 200
    assert client.get(f"/api/v1/messages/{sent['id']}", headers=user("other_customer")).status_code == 404
    assert client.get(f"/api/v1/messages/{sent['id']}", headers=user("expert")).status_code == 403
    assert client.get("/api/v1/messages?customer_id=7", headers=user("other_customer")).status_code == 403
    mine = client.get("/api/v1/messages", headers=user("other_customer")).json["items"]
    assert mine == []
    assert client.get("/api/v1/messages?state=nonsense", headers=user("admin")).status_code == 400
    assert client.get("/api/v1/messages?customer_id=x7", headers=user("admin")).status_code == 400


def test_staff_see_the_dead_letters_and_send_one_again(app):
    client = app.test_client()
    app.extensions["test_channels"].down |= {Channel.EMAIL, Channel.SMS}
    sent = client.post("/api/v1/messages", json=message(), headers=service("ticketing")).json
    n = app.extensions["fragment_services"]
    for _ in range(6):
        n.delivery.run_once()
        m = n.outboxes.get(sent["id"])
        n.delivery.clock = lambda m=m: m.next_attempt_at or NOW
    assert n.outboxes.get(sent["id"]).state == State.FAILED
    page = client.get("/outbox?state=failed", headers=user("call_centre")).get_data(as_text=True)
    assert "We received ticket N-100000001" in page and "Send again" in page
    assert client.post(f"/outbox/{sent['id']}/resend", headers=user("call_centre", csrf=False)).status_code == 400
    assert client.post(f"/outbox/{sent['id']}/resend", headers=user("manager")).status_code == 403
    again = client.post(f"/outbox/{sent['id']}/resend", headers=user("call_centre"))
    assert again.status_code == 200 and "queued to be sent again" in again.get_data(as_text=True)
    assert client.post(f"/outbox/{sent['id']}/resend", headers=user("call_centre")).status_code == 409
    assert client.post("/outbox/nope/resend", headers=user("call_centre")).status_code == 404


def test_ticketing_raises_staff_alerts_here_and_staff_see_them_newest_first_escaped(app):
    client = app.test_client()
    alerts = [{"kind": "ticket-unassigned", "message": "Ticket N-1 <b>could not</b> be offered", "ticket_reference": "N-1"},
              {"kind": "sla-50", "message": "Half the time to an accepted expert is gone"}]
    raised = client.post("/api/v1/staff-alerts", json={"items": alerts}, headers=service("ticketing"))
    assert raised.status_code == 201
    assert [(a["kind"], a["ticket_reference"], a["raised_by"]) for a in raised.json["items"]] == [
        ("ticket-unassigned", "N-1", "ticketing"), ("sla-50", None, "ticketing")]
    assert client.post("/api/v1/staff-alerts", json={"items": alerts}, headers=service("experts")).status_code == 403
    assert client.post("/api/v1/staff-alerts", json={"items": alerts}, headers=user("admin")).status_code == 403
    page = client.get("/outbox", headers=user("call_centre")).get_data(as_text=True)
    assert "Staff alerts" in page and "&lt;b&gt;could not&lt;/b&gt;" in page and "<b>could not" not in page
    listed = client.get("/api/v1/staff-alerts?limit=5", headers=user("manager")).json["items"]
    assert {a["kind"] for a in listed} == {"ticket-unassigned", "sla-50"}
    assert client.get("/api/v1/staff-alerts", headers=user("customer")).status_code == 403
    assert client.get("/api/v1/staff-alerts?limit=0", headers=user("manager")).status_code == 400


@pytest.mark.parametrize("body, field", [
    ({"items": []}, "items"), ({"items": "x"}, "items"), ([], "items"),
    ({"items": [{"kind": "", "message": "m"}]}, "items[0].kind"),
    ({"items": [{"kind": "k", "message": "m"}, {"kind": "k", "message": 5}]}, "items[1].message"),
    ({"items": [{"kind": "k" * 41, "message": "m"}]}, "items[0].kind"),
    ({"items": [{"kind": "k", "message": "m", "ticket_reference": ["N-1"]}]}, "items[0].ticket_reference"),
    ({"items": [{"kind": "k", "message": "m"}] * 101}, "items")])
def test_a_malformed_alert_batch_is_refused_whole_naming_the_field(app, body, field):
    client = app.test_client()
    answer = client.post("/api/v1/staff-alerts", json=body, headers=service("ticketing"))
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"
    assert field in {e["field"] for e in answer.json["errors"]}
    assert app.extensions["fragment_services"].alerting.recent() == []


def test_the_staffs_customer_page_gets_how_they_are_reached_and_what_was_sent_in_one_answer(app):
    client = app.test_client()
    client.post("/api/v1/messages", json=message(), headers=service("ticketing"))
    both = client.get("/customers/7", headers=user("call_centre"))
    page = both.get_data(as_text=True)
    assert both.status_code == 200 and "nt-preferences" in page and "nt-customer-messages" in page
    assert "We received ticket N-100000001" in page and page.count('data-fragment="notifications"') == 2
    assert client.get("/customers/7", headers=user("customer")).status_code == 403  # theirs is /my's slot
    assert client.get("/customers/999", headers=user("call_centre")).status_code == 404


def test_a_customer_chooses_their_channel_and_opts_out_of_surveys_on_the_form(app):
    client = app.test_client()
    form = client.get("/customers/7/preferences", headers=user("customer")).get_data(as_text=True)
    assert 'value="email" checked' in re.sub(r"\s+", " ", form) and "ada@example.com" in form
    saved = client.post("/customers/7/preferences", data={"channel": "sms", "send_reminder": "on", "csrf_token": CSRF},
                        headers=user("customer", csrf=False))
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)
    chosen = client.get("/api/v1/customers/7/preferences", headers=user("customer")).json
    assert chosen == {"name": "Ada Lovelace", "channel": "sms", "opted_out": ["survey"], "has_email": True,
                      "has_phone": True}
    bad = client.post("/customers/7/preferences", data={"channel": "fax"}, headers=user("customer"))
    assert bad.status_code == 422 and "choose email or text message" in bad.get_data(as_text=True)
    assert client.post("/customers/8/preferences", data={"channel": "sms"}, headers=user("customer")).status_code == 403
    assert client.post("/customers/7/preferences", data={"channel": "sms"}, headers=user("manager")).status_code == 403
    assert client.get("/customers/999/preferences", headers=user("admin")).status_code == 404


def test_staff_read_how_a_customer_is_reached_and_change_it_on_the_form_they_open(app):
    client = app.test_client()
    page = client.get("/customers/7", headers=user("call_centre")).get_data(as_text=True)
    assert '<dl class="nt-facts">' in page and 'name="channel"' not in page
    assert "Messages by</dt><dd>Email</dd>" in page and 'hx-get="/customers/7/preferences/change"' in page
    reader = client.get("/customers/7/preferences", headers=user("manager")).get_data(as_text=True)
    assert '<dl class="nt-facts">' in reader and "/preferences/change" not in reader
    assert client.get("/customers/7/preferences/change", headers=user("manager")).status_code == 403
    assert client.get("/customers/8/preferences/change", headers=user("customer")).status_code == 403
    form = client.get("/customers/7/preferences/change", headers=user("call_centre")).get_data(as_text=True)
    assert 'name="channel"' in form and 'hx-get="/customers/7/preferences"' in form  # Cancel: the facts again
    assert "Email (ada@example.com)" in form  # each channel with its address, read now
    assert "Also send them" in form and "from their expert" in form  # staff choose for the customer
    saved = client.post("/customers/7/preferences", data={"channel": "sms", "send_reminder": "on"},
                        headers=user("call_centre")).get_data(as_text=True)
    assert "Saved" in saved and '<dl class="nt-facts">' in saved and 'name="channel"' not in saved
    assert "Messages by</dt><dd>Text message</dd>" in saved
    assert re.search(r"A short survey after a visit</dt><dd>Not sent", saved)
    refused = client.post("/customers/7/preferences", data={"channel": "fax"}, headers=user("call_centre"))
    assert refused.status_code == 422 and 'name="channel"' in refused.get_data(as_text=True)


def test_preferences_over_the_api_are_checked(app):
    client = app.test_client()
    put = client.put("/api/v1/customers/7/preferences", json={"channel": "email", "opted_out": ["confirmation"]},
                     headers=user("customer"))
    assert put.status_code == 422 and put.json["errors"] == [
        {"field": "opted_out", "message": "one may opt out of reminder, survey only, not confirmation"}]
    assert client.put("/api/v1/customers/7/preferences", json={"channel": "sms", "opted_out": "survey"},
                      headers=user("customer")).status_code == 422
    assert client.put("/api/v1/customers/7/preferences", json={"channel": "sms", "opted_out": ["reminder"]},
                      headers=user("admin")).json["opted_out"] == ["reminder"]


def test_the_customers_page_lists_what_was_sent_to_them_escaped(app):
    client = app.test_client()
    client.post("/api/v1/messages", json=message(subject="<script>alert(1)</script>"), headers=service("ticketing"))
    app.extensions["fragment_services"].delivery.run_once()
    page = client.get("/customers/7/messages", headers=user("call_centre")).get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert" not in page and "ada@example.com" in page
    assert client.get("/customers/7/messages", headers=user("other_customer")).status_code == 403


def test_the_gateways_delivery_reports_need_its_key_and_mark_the_message(app):
    n = app.extensions["fragment_services"]
    object.__setattr__(n, "receipt_key", "gw-secret")
    client = app.test_client()
    client.post("/api/v1/messages", json=message(), headers=service("ticketing"))
    n.delivery.run_once()
    report = {"reference": "received:100000001", "status": "undelivered", "detail": "handset off for 48 h"}
    assert client.post("/receipts/sms", json=report).status_code == 401
    assert client.post("/receipts/sms", json=report, headers={"Authorization": "Bearer nope"}).status_code == 401
    key = {"Authorization": "Bearer gw-secret"}
    assert client.post("/receipts/sms", json={"reference": "x"}, headers=key).status_code == 422
    assert client.post("/receipts/sms", json={**report, "reference": "unknown:1"}, headers=key).status_code == 404
    answer = client.post("/receipts/sms", json=report, headers=key)
    assert answer.status_code == 200 and answer.json == {"recorded": True, "state": "bounced"}
    page = client.get("/outbox?state=bounced", headers=user("call_centre")).get_data(as_text=True)
    assert "handset off for 48 h" in page and "Send again" in page
