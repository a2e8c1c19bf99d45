"""The customers fragment's app in-process over a real graph store and the real monolith (bridge): who
may call what, a customer sees only their own record, the contact form re-renders with a message per
field and saves nothing when wrong, a stale form is refused, a saved change reaches the legacy row, and
the JSON API our services read answers in the bridge's v1 shapes."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.customers.adapters.customers import GraphCatalogue, GraphCustomers
from fragments.customers.app import create_app
from fragments.customers.wiring import build

from ..support.keys import KEYS_DIR, mint
from .conftest import bridge_client

CSRF = "session-csrf-token"
PEOPLE = {
    "call_centre": Principal("user", "callcentre", "call_centre"),
    "manager": Principal("user", "manager", "manager"),
    "customer": Principal("user", "customer7", "customer", customer_id=7),
    "expert": Principal("user", "expert1", "expert", expert_id=1),
}


@pytest.fixture
def app(graph_backend, live_bridge):
    bridge = bridge_client(live_bridge, "customers")
    service = build(GraphCustomers(graph_backend, bridge), GraphCatalogue(graph_backend, bridge), bridge)
    yield create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, customers=service)
    bridge.close()


def headers(who: str) -> dict[str, str]:
    principal = replace(PEOPLE[who], csrf_digest=csrf_digest(CSRF))
    return {"Authorization": f"Bearer {mint(principal, 'fragment:customers')}", "X-CSRF-Token": CSRF,
            "X-Shell-CSRF": CSRF, "HX-Request": "true"}


def service(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(Principal('service', name), 'fragment:customers')}"}


def test_every_route_needs_a_token_for_this_fragment(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("meta.healthz", "static", "meta.manifest_json", "metrics"):
            continue
        url = rule.build({name: {"customer_id": 7, "kind": "products"}[name] for name in rule.arguments},
                         append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(url, method=method).status_code == 401, rule.endpoint
            other = {"Authorization": f"Bearer {mint(PEOPLE['call_centre'], 'fragment:experts')}"}
            assert client.open(url, method=method, headers=other).status_code == 401, rule.endpoint


def test_a_customer_reads_only_their_own_record_and_experts_read_none(app):
    client = app.test_client()
    assert client.get("/customers/7", headers=headers("customer")).status_code == 200
    assert client.get("/customers/8", headers=headers("customer")).status_code == 403
    assert client.get("/api/v1/customers/8", headers=headers("customer")).status_code == 403
    assert client.get("/customers/7", headers=headers("expert")).status_code == 403
    assert client.post("/customers/7/contact", headers=headers("manager"), data={}).status_code == 403


def test_the_contact_form_says_what_is_wrong_saves_nothing_then_saves_and_reaches_the_legacy_row(app, live_bridge):
    client = app.test_client()
    page = client.get("/customers/7", headers=headers("call_centre"))
    assert page.status_code == 200 and "Contact details" in page.text and "Contracts" in page.text
    before = client.get("/api/v1/customers/7", headers=service("ticketing")).get_json()
    wrong = {"version": before["version"], "email": "not-an-address", "phone": "12", "address_line": "",
             "city": "Leeds", "postcode": "ZZZZZZZ"}
    refused = client.post("/customers/7/contact", headers=headers("call_centre"), data=wrong)
    assert refused.status_code == 422
    for message in ("name@example.com", "7 to 15 digits", "street address is needed", "cannot be right"):
        assert message in refused.text
    assert 'value="not-an-address"' in refused.text  # what was typed stays in the form
    assert client.get("/api/v1/customers/7", headers=service("ticketing")).get_json() == before
    right = {**wrong, "email": "mia.new@example.com", "phone": "+44 7700 900 456", "address_line": "2 Mill Lane",
             "postcode": "ls1 4ap"}
    saved = client.post("/customers/7/contact", headers=headers("call_centre"), data=right)
    assert saved.status_code == 200 and "Saved" in saved.text
    after = client.get("/api/v1/customers/7", headers=service("notifications")).get_json()
    assert after["postcode"] == "LS1 4AP" and after["version"] == before["version"] + 1
    stale = client.post("/customers/7/contact", headers=headers("customer"), data=right)  # read before the save
    assert stale.status_code == 409 and "Someone else saved" in stale.text
    legacy = bridge_client(live_bridge, "ticketing")
    try:
        assert legacy.get_customer(7)["email"] == "mia.new@example.com"
    finally:
        legacy.close()


def test_the_api_answers_coverage_and_the_catalogue_and_refuses_bad_input_with_problems(app):
    client = app.test_client()
    products = client.get("/api/v1/catalogue/products", headers=service("ticketing")).get_json()["items"]
    assert products and {"id", "sku", "name"} <= set(products[0])
    covered = client.get("/api/v1/customers/7/covered-products", headers=service("ticketing")).get_json()["items"]
    for product in covered[:3]:
        answer = client.get(f"/api/v1/coverage?customer_id=7&product_id={product['id']}",
                            headers=service("ticketing")).get_json()
        assert answer["covered"] and answer["contract_id"] == product["contract_id"]
    for bad in ("/api/v1/coverage?customer_id=x&product_id=1", "/api/v1/coverage?customer_id=7&product_id=1&on=soon"):
        problem = client.get(bad, headers=service("ticketing"))
        assert problem.status_code == 400 and problem.content_type == "application/problem+json"
    assert client.get("/api/v1/customers/999999", headers=service("ticketing")).status_code == 404
    body = client.put("/api/v1/customers/7/contact", headers=headers("call_centre"), json={"version": "one"})
    assert body.status_code == 422 and body.get_json()["errors"][0]["field"] == "version"
    assert client.get("/api/v1/catalogue/nothing", headers=service("ticketing")).status_code == 404
    assert dt.date.fromisoformat(client.get("/api/v1/coverage?customer_id=7&product_id=1",
                                            headers=service("ticketing")).get_json()["on"])
