"""The monolith's screens as staff, customers and experts use them today."""
from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape
from sqlalchemy import select

from foundation import times
from shell_app.models import Contract, Customer, Expert, LegacyTicket, UserAccount


@pytest.fixture
def covered(db):
    """A customer with an active contract and one product it covers."""
    contract = db.scalars(select(Contract).where(Contract.status == "active").order_by(Contract.id)).first()
    return contract.customer, contract, contract.products[0]


def slot_form(contract, product, description="The screen stays black after power on.", days=(2, 3)):
    form = {"contract_id": str(contract.id), "product_id": str(product.id), "description": description}
    for i, day in enumerate(days, 1):
        form[f"slot_date_{i}"] = (dt.date.today() + dt.timedelta(days=day)).isoformat()
        form[f"slot_period_{i}"] = "morning"
    return form


def test_customer_search_finds_by_name_email_phone_and_id(client, auth, db):
    auth.login("callcentre")
    customer = db.get(Customer, 3)
    for query in (customer.last_name, customer.email, customer.phone, str(customer.id)):
        page = client.get("/customers", query_string={"q": query}).get_data(as_text=True)
        assert f"/customers/{customer.id}" in page, query
    assert "No customer matches" in client.get("/customers?q=zzzz-nobody").get_data(as_text=True)


def test_customer_search_as_people_type_it_full_name_phone_without_spaces_postcode_in_lower_case(client, auth, db):
    auth.login("callcentre")
    customer = db.get(Customer, 4)
    queries = (f"{customer.first_name} {customer.last_name}", f"{customer.last_name}  {customer.first_name}",
               customer.phone.replace(" ", ""), customer.postcode.lower(), customer.postcode.replace(" ", "").lower())
    for query in queries:
        page = client.get("/customers", query_string={"q": query}).get_data(as_text=True)
        assert f"/customers/{customer.id}" in page, query
    someone_else = f"{customer.first_name} zzzz"
    assert f"/customers/{customer.id}\"" not in client.get("/customers", query_string={"q": someone_else}).get_data(
        as_text=True)
    assert "No customer matches" in client.get("/customers?q=100%25_").get_data(as_text=True)


def test_customer_detail_shows_contracts_products_tickets_and_the_fragment_slot(client, auth, db):
    auth.login("callcentre")
    customer = db.get(Customer, 1)
    page = client.get("/customers/1").get_data(as_text=True)
    assert customer.full_name in page
    for contract in customer.contracts:
        assert contract.reference in page
        assert all(p.name in page for p in contract.products)
    tickets = db.scalars(select(LegacyTicket).where(LegacyTicket.customer_id == 1)).all()
    assert all(t.reference in page for t in tickets)
    assert 'data-fragment-slot="ticketing/customer-tickets"' in page


def test_ticket_list_filters_by_status(client, auth):
    auth.login("manager")
    page = client.get("/tickets?status=closed").get_data(as_text=True)
    assert "legacy-status-closed" in page and "legacy-status-open" not in page
    assert client.get("/tickets?status=nonsense&page=abc").status_code == 200


def test_ticket_detail_shows_history_and_slots(client, auth, db):
    auth.login("callcentre")
    ticket = db.get(LegacyTicket, 1)
    page = client.get("/tickets/1").get_data(as_text=True)
    assert ticket.reference in page and ticket.product.name in page
    assert all(str(escape(h.detail)) in page for h in ticket.history)
    assert all(times.slot(s.starts_at) in page for s in ticket.slots)  # the one format of every screen


def test_staff_raise_a_ticket_by_phone_and_legacy_dispatch_assigns_it(client, auth, db, covered):
    customer, contract, product = covered
    auth.login("callcentre")
    response = client.post(f"/customers/{customer.id}/tickets/new",
                           data={**slot_form(contract, product), "csrf_token": auth.csrf})
    assert response.status_code == 302
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ticket = db.get(LegacyTicket, ticket_id)
    assert ticket.channel == "phone" and ticket.reference == f"T-{ticket_id:07d}"
    assert len(ticket.slots) == 2 and ticket.history[0].action == "created"
    assert ticket.history[0].actor == "call_centre:callcentre"
    if ticket.status == "assigned":  # the naive dispatcher takes the first skilled expert
        assert any(s.product_id == product.id for s in ticket.assigned_expert.skills)
    else:
        assert ticket.status == "open"


def test_customer_raises_own_ticket_on_the_web(app, db):
    account = db.scalars(select(UserAccount).where(UserAccount.role == "customer")).first()
    contract = next(c for c in db.get(Customer, account.customer_id).contracts if c.status == "active")
    from .conftest import Auth

    client = app.test_client()
    auth = Auth(client)
    auth.login(account.username)
    response = client.post("/my/tickets/new", data={**slot_form(contract, contract.products[0], days=(4,)),
                                                    "csrf_token": auth.csrf})
    assert response.status_code == 302
    assert "My tickets" in client.get("/my").get_data(as_text=True)
    ticket = db.get(LegacyTicket, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert ticket.channel == "web" and ticket.customer_id == account.customer_id


def test_invalid_raise_form_re_renders_with_field_errors_and_keeps_input(client, auth, covered):
    customer, contract, product = covered
    auth.login("callcentre")
    form = {**slot_form(contract, product, description="short"), "csrf_token": auth.csrf,
            "slot_date_2": "2020-13-45", "slot_period_2": "morning"}
    response = client.post(f"/customers/{customer.id}/tickets/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 10 characters" in page and "Slot 2: give a valid date." in page
    assert ">short</textarea>" in page
    assert "morning (08:00–12:00)</option>" in page  # each half-day's hours named, on every screen


def test_product_not_covered_is_refused_with_a_message(client, auth, db, covered):
    customer, contract, _product = covered
    from shell_app.models import Product

    uncovered = db.scalars(select(Product).where(Product.id.not_in([p.id for p in contract.products]))).first()
    auth.login("callcentre")
    response = client.post(f"/customers/{customer.id}/tickets/new",
                           data={**slot_form(contract, uncovered), "csrf_token": auth.csrf})
    assert response.status_code == 422
    assert "does not cover that product" in response.get_data(as_text=True)


def test_past_slots_and_other_customers_contracts_are_refused(client, auth, db, covered):
    customer, contract, product = covered
    other = db.scalars(select(Contract).where(Contract.customer_id != customer.id)).first()
    auth.login("callcentre")
    past = client.post(f"/customers/{customer.id}/tickets/new",
                       data={**slot_form(contract, product, days=(-3,)), "csrf_token": auth.csrf})
    assert past.status_code == 422 and "must be in the future" in past.get_data(as_text=True)
    theirs = client.post(f"/customers/{customer.id}/tickets/new",
                         data={**slot_form(other, product), "csrf_token": auth.csrf})
    assert theirs.status_code == 422 and "Choose one of this customer" in theirs.get_data(as_text=True)


def test_status_change_and_note_are_recorded_in_history(client, auth, db, covered):
    customer, contract, product = covered
    auth.login("callcentre")
    created = client.post(f"/customers/{customer.id}/tickets/new",
                          data={**slot_form(contract, product), "csrf_token": auth.csrf})
    ticket_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"/tickets/{ticket_id}/notes", data={"note": "Called back", "csrf_token": auth.csrf}
                       ).status_code == 302
    assert client.post(f"/tickets/{ticket_id}/status", data={"status": "cancelled", "note": "No longer needed",
                                                             "csrf_token": auth.csrf}).status_code == 302
    refused = client.post(f"/tickets/{ticket_id}/status", data={"status": "closed", "note": "x",
                                                                "csrf_token": auth.csrf})
    assert refused.status_code == 422 and "cannot become closed" in refused.get_data(as_text=True)
    db.expire_all()
    ticket = db.get(LegacyTicket, ticket_id)
    assert ticket.status == "cancelled"
    assert [h.action for h in ticket.history][-2:] == ["note", "status"]


def test_unknown_ids_get_a_404_page(client, auth):
    auth.login("admin")
    for url in ("/customers/999999", "/tickets/999999", "/experts/999999", "/kb/999999", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We could not find that page or record." in response.get_data(as_text=True)


def test_customer_cannot_see_another_customers_ticket(client, auth, db):
    auth.login("customer1")
    other = db.scalars(select(LegacyTicket).where(LegacyTicket.customer_id != 1)).first()
    own = db.scalars(select(LegacyTicket).where(LegacyTicket.customer_id == 1)).first()
    assert client.get(f"/tickets/{other.id}").status_code == 404
    if own is not None:
        assert client.get(f"/tickets/{own.id}").status_code == 200


def test_expert_sees_only_tickets_assigned_to_them(client, auth, db):
    auth.login("expert1")
    mine = db.scalars(select(LegacyTicket).where(LegacyTicket.assigned_expert_id == 1)).first()
    theirs = db.scalars(select(LegacyTicket).where(LegacyTicket.assigned_expert_id != 1)).first()
    assert client.get(f"/tickets/{theirs.id}").status_code == 404
    if mine is not None:
        assert client.get(f"/tickets/{mine.id}").status_code == 200


def test_admin_expert_list_filters_and_detail(client, auth, db):
    auth.login("admin")
    expert = db.get(Expert, 2)
    skill = expert.skills[0].product_id
    page = client.get(f"/experts?product_id={skill}").get_data(as_text=True)
    assert f"/experts/{expert.id}" in page
    detail = client.get(f"/experts/{expert.id}").get_data(as_text=True)
    assert expert.employee_number in detail and expert.skills[0].product.name in detail


def test_knowledge_base_search_finds_articles_by_title_and_keyword(client, auth):
    auth.login("expert1")
    page = client.get("/kb?q=battery").get_data(as_text=True)
    assert "battery drains" in page
    article = client.get("/kb/1")
    assert article.status_code == 200 and "Symptom:" in article.get_data(as_text=True)


def test_output_is_escaped(client, auth, covered):
    customer, contract, product = covered
    auth.login("callcentre")
    form = {**slot_form(contract, product, description="<script>alert('x')</script> broken screen"),
            "csrf_token": auth.csrf}
    created = client.post(f"/customers/{customer.id}/tickets/new", data=form)
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_healthz_reports_database_and_version(client):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "app": "shell_app", "version": "1.0.0", "database": "ok"}


def test_a_customer_sees_what_happened_not_who_inside_did_it(app, client, auth, db):
    """Legacy screens too (foundation.disclosure): no staff usernames or internal actors for customers."""
    from shell_app.models import TicketHistory

    ticket = db.scalars(select(LegacyTicket).where(LegacyTicket.customer_id == 1).order_by(LegacyTicket.id)).first()
    at = dt.datetime(2026, 11, 2, 9, 0)
    db.add_all([TicketHistory(ticket_id=ticket.id, at=at, actor="system:legacy-dispatch", action="assigned",
                              detail="Assigned to Quentin Internal"),
                TicketHistory(ticket_id=ticket.id, at=at, actor="callcentre2", action="note",
                              detail="We will call the customer back")])
    db.commit()
    auth.login("customer1")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    history = page[page.index("<h2>History</h2>"):]
    assert "callcentre2" not in history and "system:" not in history and "Quentin Internal" not in history
    assert "by Sysops Squad: We will call the customer back" in history
    assert "An expert is assigned to your appointment." in history
    auth.login("callcentre")
    staff_page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "callcentre2" in staff_page and "Quentin Internal" in staff_page
