"""The customers fragment's app in-process over a real graph store and the real monolith (bridge): who
may call what, a customer sees only their own record, the contact form re-renders with a message per
field and saves nothing when wrong, a stale form is refused, a saved change reaches the legacy row, and
the JSON API our services read answers in the bridge's v1 shapes."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from foundation.tokens import Principal, csrf_digest
from fragments.customers.adapters.bills import GraphBills
from fragments.customers.adapters.catalogue import GraphCatalogueAdmin, GraphContracts, PublishedOpenWork
from fragments.customers.adapters.customers import GraphCustomers
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.app import create_app
from fragments.customers.wiring import build
from shell_app.models import Contract, Plan, Product

from ..support.keys import KEYS_DIR, mint
from .conftest import bridge_client

CSRF = "session-csrf-token"
PEOPLE = {
    "call_centre": Principal("user", "callcentre", "call_centre"),
    "manager": Principal("user", "manager", "manager"),
    "customer": Principal("user", "customer7", "customer", customer_id=7),
    "expert": Principal("user", "expert1", "expert", expert_id=1),
    "admin": Principal("user", "admin", "admin"),
}


@pytest.fixture
def app(graph_backend, live_bridge):
    bridge = bridge_client(live_bridge, "customers")
    service = build(GraphCustomers(graph_backend, bridge), GraphCatalogueAdmin(graph_backend, bridge), bridge,
                    GraphContracts(graph_backend), PublishedOpenWork(graph_backend), bills=GraphBills(graph_backend, bridge),
                    gateway=LocalGateway())
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
        url = rule.build({name: {"customer_id": 7, "kind": "products", "product_id": 1, "plan_id": 1,
                                                "locale_id": 1, "bill_key": "70:2026-10"}[name] for name in rule.arguments},
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


def test_staff_read_the_details_as_facts_and_change_them_on_the_form_they_open(app):
    client = app.test_client()
    page = client.get("/customers/7", headers=headers("call_centre")).text
    assert '<dl class="cu-facts">' in page and "<form" not in page.split("Contracts")[0]
    assert 'hx-get="/customers/7/contact"' in page and "Change contact details" in page
    reader = client.get("/customers/7", headers=headers("manager")).text
    assert '<dl class="cu-facts">' in reader and "Change contact details" not in reader
    assert client.get("/customers/7/contact", headers=headers("manager")).status_code == 403
    assert client.get("/customers/8/contact", headers=headers("customer")).status_code == 403
    form = client.get("/customers/7/contact", headers=headers("call_centre"))
    version = client.get("/api/v1/customers/7", headers=service("ticketing")).get_json()["version"]
    assert form.status_code == 200 and f'name="version" value="{version}"' in form.text
    assert 'id="cu-phone"' in form.text and 'hx-get="/customers/7"' in form.text  # Cancel: the facts again
    entered = {name: re.search(rf'id="cu-{name}"[^>]*value="([^"]*)"', form.text).group(1)
               for name in ("email", "phone", "address_line", "city", "postcode")}
    saved = client.post("/customers/7/contact", headers=headers("call_centre"),
                        data={**entered, "phone": "07700 900 777", "version": version})
    assert saved.status_code == 200 and "Saved" in saved.text
    assert '<dl class="cu-facts">' in saved.text and "07700 900 777" in saved.text and 'id="cu-phone"' not in saved.text
    mine = client.get("/customers/7", headers=headers("customer")).text  # My account: the form at once
    assert 'id="cu-phone"' in mine and "Change contact details" not in mine


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


def _form_version(page: str, form: str) -> str:
    return re.search(rf'id="{form}"[^>]*>\s*(?:<input[^>]*csrf[^>]*>\s*)?<input type="hidden" name="version" '
                     rf'value="(\d+)"', page).group(1)


def _legacy_row(legacy_url: str, model, **where):
    engine = create_engine(legacy_url)
    try:
        with Session(engine) as session:
            return session.scalars(select(model).filter_by(**where)).one_or_none()
    finally:
        engine.dispose()


def _new_product(client, tag: str) -> int:
    made = client.post("/admin/products", headers=headers("admin"),
                       data={"sku": f"SOLAR-{tag}", "name": f"Solar inverter {tag}", "category": "Energy",
                             "manufacturer": "Voltari"})
    assert made.status_code == 200 and "Product added" in made.text
    return int(re.search(rf'data-sku="SOLAR-{tag}".*?action="/admin/products/(\d+)"', made.text, re.S).group(1))


def test_an_admin_sets_up_a_product_a_plan_with_terms_and_each_reaches_the_legacy_tables(app, legacy_url):
    client = app.test_client()
    tag = uuid.uuid4().hex[:6].upper()
    assert client.get("/admin/catalogue", headers=headers("call_centre")).status_code == 403
    page = client.get("/admin/catalogue", headers=headers("admin"))
    assert page.status_code == 200 and "New plan" in page.text

    wrong = client.post("/admin/products", headers=headers("admin"), data={"sku": "no spaces", "name": ""})
    assert wrong.status_code == 422 and "capital letters" in wrong.text and "A name is needed" in wrong.text
    product_id = _new_product(client, tag)
    assert product_id > 1_000_000  # above every legacy id: never a collision
    row = _legacy_row(legacy_url, Product, sku=f"SOLAR-{tag}")
    assert row is not None and row.id == product_id and row.frozen_at is not None  # written back, born frozen
    again = client.post("/admin/products", headers=headers("admin"),
                        data={"sku": f"solar-{tag}", "name": "x", "category": "x", "manufacturer": "x"})
    assert again.status_code == 422 and "already has the SKU" in again.text

    terms = {"terms_from": "2026-01-01", "terms_accept_hours": "30", "terms_visit_days": "0",
             "terms_weekdays": "fri-mon", "terms_opens": "18:00", "terms_closes": "08:00"}
    plan = {"code": f"SUN{tag}", "name": f"Sunshine {tag}", "monthly_price": "9.99", "max_open_tickets": "2"}
    refused = client.post("/admin/plans", headers=headers("admin"), data={**plan, **terms})
    assert refused.status_code == 422
    for message in ("covers one product at least", "take effect today or later", "days like mon-fri",
                    "close after it opens"):
        assert message in refused.text, message
    assert f'value="SUN{tag}"' in refused.text  # what was typed stays
    assert _legacy_row(legacy_url, Plan, code=f"SUN{tag}") is None  # nothing stored
    good_terms = {**terms, "terms_from": dt.date.today().isoformat(), "terms_accept_hours": "4",
                  "terms_visit_days": "2", "terms_weekdays": "mon-sat", "terms_opens": "08:00", "terms_closes": "20:00"}
    added = client.post("/admin/plans", headers=headers("admin"),
                        data={**plan, **good_terms, "product_ids": [str(product_id)]})
    assert added.status_code == 200 and "Plan added" in added.text
    assert "expert within 4 h, visit within 2 working days, mon-sat 08:00-20:00" in added.text
    held = _legacy_row(legacy_url, Plan, code=f"SUN{tag}")
    assert held.monthly_price_cents == 999 and held.max_open_tickets == 2


def test_a_product_with_open_tickets_is_not_retired_and_a_stale_edit_is_refused(app, graph_backend):
    client = app.test_client()
    tag = uuid.uuid4().hex[:6].upper()
    product_id = _new_product(client, tag)
    graph_backend.write("CREATE (:Ticket {id: 424242, product_id: $p, status: 'assigned'})", {"p": product_id})
    refused = client.post(f"/admin/products/{product_id}/retire", headers=headers("admin"), data={})
    assert refused.status_code == 409 and "1 open ticket" in refused.text and "Nothing was changed" in refused.text
    page = client.get("/admin/catalogue", headers=headers("admin")).text
    version = _form_version(page, f"product-{product_id}")
    edit = {"version": version, "sku": f"SOLAR-{tag}", "category": "Energy", "manufacturer": "Voltari"}
    first = client.post(f"/admin/products/{product_id}", headers=headers("admin"), data={**edit, "name": "Renamed once"})
    assert first.status_code == 200 and "Product saved" in first.text and "Renamed once" in first.text
    stale = client.post(f"/admin/products/{product_id}", headers=headers("admin"), data={**edit, "name": "Renamed twice"})
    assert stale.status_code == 409 and "out of date" in stale.text and "Renamed twice" not in stale.text
    graph_backend.write("MATCH (t:Ticket {id: 424242}) SET t.status = 'closed'")
    retired = client.post(f"/admin/products/{product_id}/retire", headers=headers("admin"), data={})
    assert retired.status_code == 200 and "Product retired" in retired.text


def test_staff_sell_a_plan_on_the_customers_page_and_it_covers_the_product_from_that_day(app, legacy_url):
    client = app.test_client()
    tag = uuid.uuid4().hex[:6].upper()
    product_id = _new_product(client, tag)
    today = dt.date.today().isoformat()
    added = client.post("/admin/plans", headers=headers("admin"),
                        data={"code": f"SELL{tag}", "name": f"Sellable {tag}", "monthly_price": "3",
                              "max_open_tickets": "1", "product_ids": [str(product_id)], "terms_from": today,
                              "terms_accept_hours": "8", "terms_visit_days": "3", "terms_weekdays": "mon-fri",
                              "terms_opens": "08:00", "terms_closes": "18:00"})
    page = client.get("/customers/7", headers=headers("call_centre")).text
    assert "Sell a plan" in page and f"Sellable {tag}" not in page  # the form comes when staff open it
    assert client.get("/customers/7/sale", headers=headers("manager")).status_code == 403
    plan_id = re.search(rf'<option value="(\d+)"[^>]*>Sellable {tag}',
                        client.get("/customers/7/sale", headers=headers("call_centre")).text).group(1)
    assert added.status_code == 200
    assert client.post("/customers/7/contracts", headers=headers("manager"), data={}).status_code == 403
    wrong = client.post("/customers/7/contracts", headers=headers("call_centre"),
                        data={"plan_id": plan_id, "start_date": "2020-01-01", "months": "7"})
    assert wrong.status_code == 422 and "starts today or later" in wrong.text and "1, 12, 24 or 36" in wrong.text
    before = client.get(f"/api/v1/coverage?customer_id=7&product_id={product_id}", headers=service("ticketing"))
    assert before.get_json()["covered"] is False
    sold = client.post("/customers/7/contracts", headers=headers("call_centre"),
                       data={"plan_id": plan_id, "start_date": today, "months": "12"})
    assert sold.status_code == 200 and "Sold: contract SS-" in sold.text and f"Sellable {tag}" in sold.text
    after = client.get(f"/api/v1/coverage?customer_id=7&product_id={product_id}", headers=service("ticketing"))
    assert after.get_json()["covered"] is True
    reference = re.search(r"Sold: contract (SS-\d+)", sold.text).group(1)
    row = _legacy_row(legacy_url, Contract, reference=reference)
    assert row is not None and row.customer_id == 7 and row.plan_id == int(plan_id)  # written back


def test_a_customer_sees_their_bills_adds_a_card_and_pays_once_and_staff_only_read(app, legacy_url):
    from fragments.customers.domain.billing import Month
    from tests.support.legacy_customers import add_customers

    mine = add_customers(legacy_url, 1)[0]
    PEOPLE["payer"] = Principal("user", f"customer{mine['id']}", "customer", customer_id=mine["id"])
    client, base = app.test_client(), f"/customers/{mine['id']}/billing"
    assert "No bills yet." in client.get(base, headers=headers("payer")).get_data(as_text=True)
    month = str(Month.of(dt.date.today()).previous())
    service = app.extensions["fragment_services"]
    assert service.billing.run(month).billed >= 1
    key = f"{mine['contract_id']}:{month}"
    page = client.get(base, headers=headers("payer")).get_data(as_text=True)
    assert f'data-bill="{key}"' in page and "Add this card" in page
    bad = client.post(f"{base}/cards", data={"number": "4242 4242 4242 4241", "expiry": "08/40"}, headers=headers("payer"))
    assert bad.status_code == 422 and "a card number" in bad.get_data(as_text=True)
    assert "4241" not in bad.get_data(as_text=True) and 'value="08/40"' in bad.get_data(as_text=True)
    added = client.post(f"{base}/cards", data={"number": "4242 4242 4242 4242", "expiry": "08/40"}, headers=headers("payer"))
    assert "Card ending 4242 added." in added.get_data(as_text=True)
    method = re.search(r'<option value="([0-9a-f]{32})">', added.get_data(as_text=True)).group(1)
    form = {"method": method, "payment_key": uuid.uuid4().hex}
    paid = client.post(f"{base}/bills/{key}/pay", data=form, headers=headers("payer"))
    assert paid.status_code == 200 and "Paid. Thank you." in paid.get_data(as_text=True)
    again = client.post(f"{base}/bills/{key}/pay", data=form, headers=headers("payer"))
    assert "paid once" in again.get_data(as_text=True)
    assert len(service.billing.bills.bill(key)["payments"]) == 1
    staff = client.get(base, headers=headers("call_centre")).get_data(as_text=True)
    assert f'data-bill="{key}"' in staff and "Add this card" not in staff and "Pay &pound;" not in staff
    assert client.post(f"{base}/bills/{key}/pay", data=form, headers=headers("call_centre")).status_code == 403
    assert client.get(base, headers=headers("customer")).status_code == 403  # another customer's bills
    refused = client.post(f"{base}/bills/{key}/cancel", headers=headers("manager"))
    assert refused.status_code == 422 and "something was paid" in refused.get_data(as_text=True)
    assert client.post(f"{base}/bills/1:1999-01/pay", data=form, headers=headers("payer")).status_code == 404


def test_the_financial_report_for_managers_with_its_csv_and_a_clear_refusal(app):
    client = app.test_client()
    page = client.get("/billing/report?from=2026-01&to=2026-02", headers=headers("manager"))
    assert page.status_code == 200 and "2025-11 to 2025-12" in page.get_data(as_text=True)
    sheet = client.get("/billing/report?from=2026-01&to=2026-02&format=csv", headers=headers("manager"))
    assert sheet.mimetype == "text/csv" and sheet.get_data(as_text=True).startswith("period,month,plan,bills")
    for query in ("from=2026-13", "from=nonsense", "from=2026-05&to=2026-01", "from=2020-01&to=2026-01"):
        bad = client.get(f"/billing/report?{query}", headers=headers("manager"))
        assert bad.status_code == 422 and "cu-error" in bad.get_data(as_text=True), query
    assert client.get("/billing/report", headers=headers("call_centre")).status_code == 403
