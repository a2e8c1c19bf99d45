"""Customers a test puts in the monolith's database itself (never the demo data's): each with one active
contract on a plan of the catalogue, covering the products asked for."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import func, select

from shell_app.db import make_engine, make_session_factory
from shell_app.models import Contract, Customer, LegacyTicket, Locale, Plan, Product

_names = itertools.count(1)


def add_product(url: str) -> int:
    """A product of the test's own in the monolith's catalogue, which no demo expert serves: its id."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            n = next(_names)
            product = Product(sku=f"TEST-{n}-{dt.datetime.now():%H%M%S%f}", name=f"Test Gadget {n}", category="Test Gadgets",
                              manufacturer="Testware")
            session.add(product)
            session.commit()
            return product.id
    finally:
        engine.dispose()


def add_customers(url: str, count: int, products_each: int = 2,
                  start: dt.date = dt.date(2026, 1, 1), product_ids: list[int] | None = None,
                  roomiest_plan: bool = False, plan_id: int | None = None) -> list[dict]:
    """`count` new customers, each holding one active contract (started `start`, no end) that covers the
    first `products_each` products of the catalogue (or those of `product_ids`), on the catalogue's first
    plan (or, `roomiest_plan`, the one allowing the most open tickets; or the plan `plan_id`):
    [{"id", "contract_id", "product_ids"}]."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            locale = session.scalars(select(Locale).order_by(Locale.id)).first()
            order = (Plan.max_open_tickets.desc(), Plan.id) if roomiest_plan else (Plan.id,)
            plan = (session.get(Plan, plan_id) if plan_id is not None
                    else session.scalars(select(Plan).order_by(*order)).first())
            if product_ids is None:
                products = list(session.scalars(select(Product).order_by(Product.id)).all()[:products_each])
            else:
                products = list(session.scalars(select(Product).where(Product.id.in_(product_ids)).order_by(Product.id)))
            made = []
            for _ in range(count):
                n = next(_names)
                next_id = (session.scalar(select(func.max(Contract.id))) or 0) + 1
                customer = Customer(first_name="Test", last_name=f"Customer{n}", email=f"test{n}@example.test",
                                    phone=f"+44 7700 9{n:05d}", address_line=f"{n} Test Street", city="Testham",
                                    postcode="TE1 1ST", locale_id=locale.id, notification_preference="email",
                                    created_at=dt.datetime(2026, 1, 1, 9, 0))
                contract = Contract(reference=f"TEST-{n}-{next_id}", customer=customer, plan_id=plan.id, start_date=start,
                                    end_date=None, status="active", products=products)
                session.add_all([customer, contract])
                session.flush()
                made.append({"id": customer.id, "contract_id": contract.id, "product_ids": [p.id for p in products]})
            session.commit()
            return made
    finally:
        engine.dispose()


def open_legacy_ticket(url: str, customer_id: int, description: str) -> int:
    """An open legacy ticket of the customer's, as the legacy system left one nobody was assigned to
    (never migrated, never frozen): its id."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            contract = session.scalars(select(Contract).where(Contract.customer_id == customer_id)).first()
            now = dt.datetime.now().replace(microsecond=0)
            ticket = LegacyTicket(reference=f"T-8{next(_names) % 10**6:06d}", customer_id=customer_id,
                                  contract_id=contract.id, product_id=contract.products[0].id,
                                  description=description, status="open", channel="phone", assigned_expert_id=None,
                                  created_at=now - dt.timedelta(days=2), updated_at=now)
            session.add(ticket)
            session.commit()
            return ticket.id
    finally:
        engine.dispose()
