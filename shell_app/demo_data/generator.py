"""Generate the legacy database's demo content from (seed, scale, anchor) alone.

Rows get explicit ids and every random choice comes from one seeded RNG, so the same
inputs produce byte-identical content on SQLite and PostgreSQL (see checksum.py).
Rows are written with Core bulk inserts in chunks: the 100x preset is ~4 million rows.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import Engine, Table, func, select, text

from foundation.passwords import DEMO_COST, hash_password

from ..models import (
    Article,
    Bill,
    Contract,
    Customer,
    Expert,
    ExpertAvailability,
    ExpertLocale,
    ExpertSkill,
    ExpertTimeOff,
    Keyword,
    LegacyTicket,
    Locale,
    Payment,
    Plan,
    Product,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
    Tag,
    TicketHistory,
    TicketSlot,
    UserAccount,
    article_keywords,
    article_tags,
    contract_products,
    plan_products,
)
from ..models.experts import PERIODS
from . import knowledge
from . import vocabulary as v
from .tickets import TicketFactory

DEMO_PASSWORD = "sysops-demo"
CHUNK = 5_000


@dataclass(frozen=True)
class Scale:
    customers: int
    experts: int
    tickets: int
    months: int = 24

    @classmethod
    def times(cls, factor: float) -> "Scale":
        return cls(customers=max(5, round(500 * factor)), experts=max(3, round(60 * factor)),
                   tickets=max(10, round(5000 * factor)))


# "100x" is the business's stated scale times 100 in customers and tickets; experts grow less
# (the business says "enough" experts: 2,000 serve 500,000 tickets in two years).
PRESETS = {"small": Scale.times(1), "100x": Scale(customers=50_000, experts=2_000, tickets=500_000),
           "tiny": Scale.times(0.05)}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    description: str


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class _Writer:
    def __init__(self, engine: Engine):
        self.engine = engine

    def insert(self, table: Table, rows: list[dict]) -> None:
        with self.engine.begin() as conn:
            for chunk in _chunks(rows):
                conn.execute(table.insert(), chunk)


def generate(engine: Engine, *, seed: int = 42, scale: Scale = PRESETS["small"],
             anchor: dt.date = dt.date(2026, 11, 1)) -> list[DemoLogin]:
    """Fill an empty, migrated database. Returns the demo logins (one per role at least)."""
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Customer.__table__)):
            raise RuntimeError("the database already holds customers; demo data goes into an empty one")
    rng = random.Random(seed)
    now = dt.datetime.combine(anchor, dt.time(9, 0))
    write = _Writer(engine).insert

    locales = [dict(id=i, code=c, name=n, region=r) for i, (c, n, r) in enumerate(v.LOCALES, 1)]
    write(Locale.__table__, locales)
    products, by_category = _products()
    write(Product.__table__, products)
    plans, plan_links, plan_product_ids = _plans(by_category)
    write(Plan.__table__, plans)
    write(plan_products, plan_links)

    customers, contracts, covered = _customers(rng, scale, now, len(locales), plans, plan_product_ids)
    write(Customer.__table__, customers)
    write(Contract.__table__, contracts)
    write(contract_products, covered)

    experts, skills, expert_locales, availability, time_off = _experts(rng, scale, now, products, len(locales))
    write(Expert.__table__, experts)
    write(ExpertSkill.__table__, skills)
    write(ExpertLocale.__table__, expert_locales)
    write(ExpertAvailability.__table__, availability)
    write(ExpertTimeOff.__table__, time_off)

    accounts, logins = _accounts(rng, customers, experts, now)
    write(UserAccount.__table__, accounts)

    template, questions = _survey_template()
    write(SurveyTemplate.__table__, [template])
    write(SurveyQuestion.__table__, questions)

    factory = TicketFactory(rng, now, scale.months, contracts, covered, customers, skills, expert_locales,
                            accounts, products, questions)
    factory.build(scale.tickets)
    for table, rows in factory.tables().items():
        write(table, rows)

    articles, tags, article_tag_links, keywords, article_keyword_links = knowledge.articles(rng, products, now)
    write(Article.__table__, articles)
    write(Tag.__table__, tags)
    write(article_tags, article_tag_links)
    write(Keyword.__table__, keywords)
    write(article_keywords, article_keyword_links)

    bills, payments = _billing(rng, contracts, plans, anchor)
    write(Bill.__table__, bills)
    write(Payment.__table__, payments)

    _advance_sequences(engine)
    return logins


def _products() -> tuple[list[dict], dict[str, list[int]]]:
    rows, by_category = [], {}
    for category, (models, _problems) in v.CATEGORIES.items():
        for model in models:
            for brand in v.BRANDS[:3] if len(models) == 1 else v.BRANDS[:2]:
                pid = len(rows) + 1
                sku = f"{brand[:3].upper()}-{category[:3].upper()}-{pid:04d}"
                rows.append(dict(id=pid, sku=sku, name=f"{brand} {model}", category=category, manufacturer=brand))
                by_category.setdefault(category, []).append(pid)
    return rows, by_category


def _plans(by_category: dict[str, list[int]]) -> tuple[list[dict], list[dict], dict[int, list[int]]]:
    plans, links, covered = [], [], {}
    for i, (code, name, price, max_open, categories) in enumerate(v.PLANS, 1):
        plans.append(dict(id=i, code=code, name=name, monthly_price_cents=price, max_open_tickets=max_open))
        ids = [pid for cat, pids in by_category.items() if categories is None or cat in categories for pid in pids]
        covered[i] = ids
        links.extend(dict(plan_id=i, product_id=pid) for pid in ids)
    return plans, links, covered


def _customers(rng, scale, now, n_locales, plans, plan_product_ids):
    customers, contracts, covered = [], [], []
    window_days = (scale.months + 12) * 30
    for cid in range(1, scale.customers + 1):
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        locale_id = rng.randrange(1, n_locales + 1)
        since = now - dt.timedelta(days=rng.randrange(30, window_days + 365), minutes=rng.randrange(1440))
        customers.append(dict(
            id=cid, first_name=first, last_name=last,
            email=f"{first.lower()}.{last.lower().replace(chr(39), '')}{cid}@example.com",
            phone=f"07{rng.randrange(100, 999)} {rng.randrange(100000, 999999)}",
            address_line=f"{rng.randrange(1, 200)} {rng.choice(v.STREETS)}",
            city=v.LOCALES[locale_id - 1][1].split(" ")[0],
            postcode=f"{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}{rng.randrange(1, 30)} "
                     f"{rng.randrange(1, 10)}{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}",
            locale_id=locale_id, notification_preference=rng.choice(("email", "sms")),
            created_at=since,
        ))
        for _ in range(1 if rng.random() < 0.75 else 2):
            kid = len(contracts) + 1
            plan = rng.choice(plans)
            start = max(since.date(), (now - dt.timedelta(days=rng.randrange(0, window_days))).date())
            roll = rng.random()
            status, end = "active", None
            if roll > 0.9:
                status, end = ("cancelled" if roll > 0.95 else "expired"), start + dt.timedelta(days=rng.randrange(60, 400))
                if end >= now.date():
                    status, end = "active", None
            contracts.append(dict(id=kid, reference=f"C-{kid:08d}", customer_id=cid, plan_id=plan["id"],
                                  start_date=start, end_date=end, status=status))
            options = plan_product_ids[plan["id"]]
            for pid in sorted(rng.sample(options, k=min(len(options), rng.randrange(1, 4)))):
                covered.append(dict(contract_id=kid, product_id=pid))
    return customers, contracts, covered


def _experts(rng, scale, now, products, n_locales):
    experts, skills, locales, availability, time_off = [], [], [], [], []
    product_ids = [p["id"] for p in products]
    for eid in range(1, scale.experts + 1):
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        experts.append(dict(id=eid, employee_number=f"E{eid:05d}", first_name=first, last_name=last,
                            email=f"{first.lower()}.{last.lower().replace(chr(39), '')}.{eid}@sysops.example.com",
                            phone=f"07700 {rng.randrange(100000, 999999)}",
                            hired_on=(now - dt.timedelta(days=rng.randrange(60, 3650))).date(),
                            active=rng.random() < 0.95))
        for pid in sorted(rng.sample(product_ids, k=rng.randrange(4, 11))):
            skills.append(dict(expert_id=eid, product_id=pid, level=rng.choice(("junior", "senior", "master"))))
        home = rng.randrange(n_locales)
        served = {home} | {rng.randrange(n_locales) for _ in range(rng.randrange(0, 3))}
        locales.extend(dict(expert_id=eid, locale_id=lid + 1) for lid in sorted(served))
        for weekday in sorted(rng.sample(range(7), k=5)):
            for period in sorted(rng.sample(list(PERIODS), k=rng.randrange(2, 4))):
                availability.append(dict(id=len(availability) + 1, expert_id=eid, weekday=weekday, period=period))
        for _ in range(rng.randrange(0, 3)):
            start = (now + dt.timedelta(days=rng.randrange(-120, 120))).date()
            time_off.append(dict(id=len(time_off) + 1, expert_id=eid, start_date=start,
                                 end_date=start + dt.timedelta(days=rng.randrange(0, 10)),
                                 reason=rng.choice(v.TIME_OFF_REASONS)))
    return experts, skills, locales, availability, time_off


def _accounts(rng, customers, experts, now):
    def account(username, role, name, customer_id=None, expert_id=None):
        return dict(id=len(accounts) + 1, username=username, role=role, display_name=name,
                    password_hash=hash_password(DEMO_PASSWORD, salt=rng.randbytes(16), cost=DEMO_COST),
                    customer_id=customer_id, expert_id=expert_id, active=True, created_at=now, last_login_at=None)

    accounts: list[dict] = []
    staff = [("callcentre", "call_centre", "Casey Call-Centre"), ("callcentre2", "call_centre", "Jordan Phones"),
             ("manager", "manager", "Morgan Manager"), ("admin", "admin", "Alex Admin")]
    for username, role, name in staff:
        accounts.append(account(username, role, name))
    # About one customer in ten registered on the website; customer 1 always did (the demo login).
    for c in customers:
        if c["id"] == 1 or rng.random() < 0.1:
            accounts.append(account(f"customer{c['id']}", "customer", f"{c['first_name']} {c['last_name']}",
                                    customer_id=c["id"]))
    for e in experts:
        accounts.append(account(f"expert{e['id']}", "expert", f"{e['first_name']} {e['last_name']}",
                                expert_id=e["id"]))
    logins = [
        DemoLogin("call_centre", "callcentre", DEMO_PASSWORD, "call-centre staff"),
        DemoLogin("manager", "manager", DEMO_PASSWORD, "manager"),
        DemoLogin("admin", "admin", DEMO_PASSWORD, "administrator"),
        DemoLogin("expert", "expert1", DEMO_PASSWORD, f"expert {experts[0]['first_name']} {experts[0]['last_name']}"),
        DemoLogin("customer", "customer1", DEMO_PASSWORD,
                  f"customer {customers[0]['first_name']} {customers[0]['last_name']}"),
    ]
    return accounts, logins


def _survey_template():
    template = dict(id=1, name="Post-visit satisfaction")
    questions = [
        dict(id=1, template_id=1, position=1, text="How satisfied are you with the expert's visit?", kind="score"),
        dict(id=2, template_id=1, position=2, text="Was your problem fixed on the first visit?", kind="score"),
        dict(id=3, template_id=1, position=3, text="Anything else you would like to tell us?", kind="text"),
    ]
    return template, questions


def _billing(rng, contracts, plans, anchor: dt.date):
    price = {p["id"]: p["monthly_price_cents"] for p in plans}
    bills, payments = [], []
    months = [(anchor.replace(day=1) - dt.timedelta(days=31 * back)).replace(day=1) for back in (2, 1, 0)]
    for contract in contracts:
        if contract["status"] != "active":
            continue
        for month in months:
            if month < contract["start_date"].replace(day=1):
                continue
            bid = len(bills) + 1
            bills.append(dict(id=bid, contract_id=contract["id"], period_start=month,
                              amount_cents=price[contract["plan_id"]], issued_on=month,
                              due_on=month + dt.timedelta(days=14)))
            paid_share = 0.5 if month == anchor.replace(day=1) else 0.92  # the current bill is often not due yet
            if rng.random() < paid_share:
                payments.append(dict(id=len(payments) + 1, bill_id=bid, amount_cents=price[contract["plan_id"]],
                                     paid_at=dt.datetime.combine(month, dt.time(6)) + dt.timedelta(
                                         days=rng.randrange(0, 14), minutes=rng.randrange(600)),
                                     method=rng.choice(("direct_debit", "card"))))
    return bills, payments


def _advance_sequences(engine: Engine) -> None:
    """Explicit ids do not move PostgreSQL's sequences; move them past the generated rows."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in (Locale, Product, Plan, Customer, Contract, Expert, ExpertAvailability, ExpertTimeOff,
                      UserAccount, SurveyTemplate, SurveyQuestion, LegacyTicket, TicketSlot, TicketHistory,
                      Survey, SurveyResponse, Article, Tag, Keyword, Bill, Payment):
            name = table.__tablename__
            conn.execute(text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE((SELECT MAX(id) FROM "
                + conn.dialect.identifier_preparer.quote(name) + "), 0) + 1, false)"
            ), {"t": name})
