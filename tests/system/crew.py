"""A test's own people for raising and taking tickets, never the demo data's: a product and a plan of the
test's own, added by an admin at the customers service (which owns the catalogue and writes each back to
the monolith's tables), a customer whose contract is on that plan, and two experts an admin takes on
for the product. No other expert serves it, so every raise for it is offered to one of the two whatever
other tests (or the demo data) have booked, and neither holds any booking or legacy work but the test's
own."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from shell_app.db import make_engine, make_session_factory
from shell_app.models import Plan, Product
from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.legacy_customers import add_customers

from .conftest import ExpertBrowser, StaffBrowser, _bridge, ticket_id_of
from .journeys import admin_signed_in, expert_with_account, locale_of


@dataclass(frozen=True)
class Crew:
    customer_id: int
    product_id: int
    plan_id: int  # the customer's plan: the product alone, up to 50 open tickets per contract
    expert_ids: tuple[int, int]
    usernames: dict[int, str]  # expert id -> the account they sign in with (PASSWORD)
    customer_username: str  # the customer's own account (PASSWORD)
    article_title: str  # the knowledge base's article for the product, shown with its tickets

    def expert(self, base: str, expert_id: int) -> ExpertBrowser:
        """The expert signed in at the front door `base`."""
        return ExpertBrowser(base, self.usernames[expert_id], PASSWORD)

    def other(self, expert_id: int) -> int:
        return next(x for x in self.expert_ids if x != expert_id)


def two_experts(system) -> Crew:
    """A customer of the test's own (with an account) and the only two experts who serve their product,
    available at every half-day in the customer's locale; the product has a knowledge-base article. The
    customer's plan allows 50 open tickets (a test may raise dozens for them)."""
    url = system.env["DATABASE_URL"]
    admin = admin_signed_in(system)
    product_id, plan_id = product_and_plan(system, admin)
    customer = add_customers(url, 1, product_ids=[product_id], plan_id=plan_id)[0]
    locale_id = locale_of(url)
    usernames = dict(expert_with_account(system, admin, product_id, locale_id) for _ in range(2))
    expert_ids = tuple(usernames)
    created = _bridge(system, "/kb/articles", "POST", json={
        "title": f"Resetting product {product_id} after a display fault", "product_id": product_id,
        "body": "Hold the power button for ten seconds, then check the display cable.", "tags": ["display"]})
    assert created.status_code == 201, created.text
    customer_username = legacy_account(url, role="customer", customer_id=customer["id"]).username
    return Crew(customer["id"], product_id, plan_id, expert_ids, usernames, customer_username, created.json()["title"])


def product_and_plan(system, admin: StaffBrowser, accept_hours: str = "240") -> tuple[int, int]:
    """A product of the test's own and a plan covering it alone (up to 50 open tickets per contract, the
    most a plan may allow; an expert's acceptance promised within `accept_hours` working hours, every day
    08:00-20:00, from today), each added by `admin` at the customers service: their ids, as written back."""
    product_id = own_product(system, admin)
    code = f"CREW{uuid.uuid4().hex[:8].upper()}"
    _added(system, admin, "plans", {
        "code": code, "name": f"Crew Cover {code[4:]}", "monthly_price": "1.00", "max_open_tickets": "50",
        "product_ids": [str(product_id)], "terms_from": dt.date.today().isoformat(),
        "terms_accept_hours": accept_hours, "terms_visit_days": "30", "terms_weekdays": "mon-sun",
        "terms_opens": "08:00", "terms_closes": "20:00"})
    return product_id, _written_back(system, Plan, Plan.code == code)


def own_product(system, admin: StaffBrowser) -> int:
    """A product of the test's own, added by `admin` at the customers service: its id, as written back."""
    sku = f"CREW-{uuid.uuid4().hex[:8].upper()}"
    _added(system, admin, "products", {"sku": sku, "name": f"Crew Gadget {sku[5:]}", "category": "Test Gadgets",
                                       "manufacturer": "Testware"})
    return _written_back(system, Product, Product.sku == sku)


def _added(system, admin: StaffBrowser, kind: str, form: dict) -> None:
    answer = admin.http.post(f"{system.shell}/fragments/customers/admin/{kind}", timeout=30,
                             data={"csrf_token": admin.csrf, **form}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "added" in answer.text, answer.text[:500]


def _written_back(system, model, where) -> int:
    engine = make_engine(system.env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            return session.scalars(select(model.id).where(where)).one()
    finally:
        engine.dispose()


def raise_for(system, crew: Crew, slot_index: int) -> int:
    """A staff raise for the crew's customer and product at the form's slot choice `slot_index`: its id."""
    staff = StaffBrowser(system.shell)
    _, slots = staff.raise_form(crew.customer_id)
    response = staff.raise_ticket(crew.customer_id, str(crew.product_id), [slots[slot_index]])
    assert response.status_code == 201, response.text
    return ticket_id_of(response)


def own_customer(system, staff: StaffBrowser) -> tuple[int, list[str], list[str]]:
    """A customer of the test's own covered for two of the catalogue's products: (id, products, slot
    choices) as their raise form offers them."""
    customer_id = add_customers(system.env["DATABASE_URL"], 1)[0]["id"]
    products, slots = staff.raise_form(customer_id)
    assert products, f"customer {customer_id}'s raise form offers no product"
    return customer_id, products, slots
