"""Every role's daily work through the composition shell as lists of actions, for the system tests that
keep it going while the monolith is frozen (test_front_shell.py) or after it is retired
(test_without_monolith.py). The people are the test's own: customers and accounts put in the monolith's
database while it runs, an expert an admin takes on."""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Iterator
from urllib.parse import urljoin

from sqlalchemy import create_engine, text

from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.deferred_slots import deferred_slots
from tests.support.legacy_customers import add_customers, add_product
from tests.support.local_system import System

from .conftest import ALL_HALF_DAYS, ExpertBrowser, StaffBrowser, ticket_id_of

FALLBACK = "data-fragment-fallback"
TAKEN_ON_FIRST_NAME = "Frieda"  # every expert `take_on_expert` takes on


@dataclass
class Tally:
    done: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    why: list[str] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, ok: bool, why: str = "") -> None:
        with self.lock:
            (self.done if ok else self.failed)[name] += 1
            if not ok and len(self.why) < 20:
                self.why.append(f"{name}: {why}")

    def rate(self) -> float:
        total = sum(self.done.values()) + sum(self.failed.values())
        return sum(self.done.values()) / total if total else 0.0


def page_ok(response) -> tuple[bool, str]:
    if response.status_code != 200:
        return False, f"{response.status_code} {response.url}"
    if FALLBACK in response.text:
        return False, f"fallback on {response.url}"
    return True, ""


def page_seen(browser, response) -> tuple[bool, str]:
    """The page as a person sees it: its answer, then every slot its first paint left to the browser,
    asked for as htmx asks (a plain HTTP client runs no htmx: without this a deferred slot that failed
    would count as a page served)."""
    ok, why = page_ok(response)
    if not ok:
        return ok, why
    for slot in deferred(browser, response):
        ok, why = page_ok(slot)
        if not ok:
            return ok, f"deferred slot: {why}"
    return True, ""


def deferred(browser, response) -> Iterator:
    """The answers to the slots a page's first paint left to the browser, each asked for as htmx asks."""
    for url in deferred_slots(response.text):
        yield browser.http.get(urljoin(response.url, url), timeout=30,
                               headers={"HX-Request": "true", "HX-Current-URL": response.url})


def text_seen(browser, response) -> str:
    """A page's text with the answers to its deferred slots after it: what a person reads on it, whether a
    slot was in the first paint or, on a busy machine, missed its budget and came after the page."""
    return "\n".join([response.text, *(slot.text for slot in deferred(browser, response))])


def refusal(page: str) -> str:
    """What a form said was wrong with a field (the first), for the tally's reasons."""
    found = re.search(r'id="(?:[a-z]+-)?err-([\w-]+)"[^>]*>([^<]{1,200})<', page)
    return f" ({found.group(1)}: {found.group(2).strip()})" if found else ""


def locale_of(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM locales ORDER BY id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()


def admin_signed_in(system: System) -> StaffBrowser:
    """An admin account of the test's own, signed in at the system's front door."""
    return StaffBrowser(system.shell, legacy_account(system.env["DATABASE_URL"], role="admin").username, PASSWORD)


def expert_with_account(system: System, admin: StaffBrowser, product_id: int,
                        locale_id: int | None = None) -> tuple[int, str]:
    """An expert `admin` takes on for the product (in the locale, by default the first, at any half-day)
    and their own account (PASSWORD): (id, username)."""
    url = system.env["DATABASE_URL"]
    expert_id = take_on_expert(system, admin, product_id, locale_of(url) if locale_id is None else locale_id)
    return expert_id, legacy_account(url, role="expert", expert_id=expert_id).username


def take_on_expert(system: System, admin: StaffBrowser, product_id: int, locale_id: int) -> int:
    """An expert taken on by an admin at the experts service, serving the product in the locale at any
    half-day; their id."""
    number = f"{time.time_ns() % 10**9}"
    answer = admin.http.post(f"{system.shell}/fragments/experts/admin/experts", timeout=30, data={
        "csrf_token": admin.csrf, "first_name": TAKEN_ON_FIRST_NAME, "last_name": f"Fixer{number}",
        "email": f"frieda{number}@example.com", "phone": "07700900555", "skills": [str(product_id)],
        "locales": [str(locale_id)], "weekly": ALL_HALF_DAYS}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "is taken on" in answer.text, (answer.status_code, refusal(answer.text))
    with system.graph_store() as store:
        rows = store.backend.read("MATCH (e:Expert) WHERE e.last_name = $name RETURN e.id AS id",
                                  {"name": f"Fixer{number}"})
    return int(rows[0]["id"])


@dataclass
class People:
    """Who works in a journey: their own customers and accounts, made while the monolith runs (its
    database is where a test puts customers and accounts of its own), and an expert an admin took on."""
    customers: list[dict]
    staff: str
    manager: str
    admin: str
    customer: str
    expert: str
    expert_id: int
    locale_id: int


def enrol(system: System, own_product: bool = False) -> People:
    """`own_product`: the customers' contracts cover a product of the test's own (put in the monolith's
    catalogue, so before its part moves), on the plan allowing the most open tickets, and only the
    test's expert serves it: every raise is offered to them first. Otherwise the catalogue's first two
    products, on its first plan."""
    url = system.env["DATABASE_URL"]
    customers = (add_customers(url, 3, product_ids=[add_product(url)], roomiest_plan=True) if own_product
                 else add_customers(url, 3))
    admin, locale_id = admin_signed_in(system), locale_of(url)
    expert_id, expert = expert_with_account(system, admin, customers[0]["product_ids"][0], locale_id)
    return People(customers, legacy_account(url, role="call_centre").username,
                  legacy_account(url, role="manager").username, admin.username,
                  legacy_account(url, role="customer", customer_id=customers[0]["id"]).username,
                  expert, expert_id, locale_id)


def not_starting_soon(slots: list[str]) -> list[str]:
    """The offered slots ("YYYY-MM-DD period") that start two days from today or later: what a journey
    raises with again and again for minutes. A slot of today may start meanwhile (at 08:00, 12:00 or
    16:00), and a raise for it is then refused, as it should be."""
    first = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    return [slot for slot in slots if slot.split(" ")[0] >= first] or slots


def journeys(system: System, tally: Tally, people: People | None = None) -> dict[str, list[tuple[str, Callable]]]:
    """Each role's daily actions through the front door, as (name, action) lists; an action returns
    (ok, why); every raise answered "received" is noted in `tally`. Everyone is
    signed in here (and enrolled first unless `people` are given)."""
    people = people or enrol(system)
    customers = people.customers
    staff = StaffBrowser(system.shell, people.staff, PASSWORD)
    manager = StaffBrowser(system.shell, people.manager, PASSWORD)
    mine = customers[0]
    customer = StaffBrowser(system.shell, people.customer, PASSWORD)
    expert = ExpertBrowser(system.shell, people.expert, PASSWORD)
    forms = {}
    for c in customers:  # each customer's page and raise form seen once (their copy in the services made)
        assert page_seen(staff, staff.http.get(f"{system.shell}/customers/{c['id']}", timeout=30))[0]
        products, slots = staff.raise_form(c["id"])
        mine_first = [p for p in products if int(p) in c["product_ids"]] or products
        forms[c["id"]] = (mine_first[0], not_starting_soon(slots)[:2])
    turn = iter(range(10**9))

    def raise_one() -> tuple[bool, str]:
        c = customers[next(turn) % len(customers)]
        product, slots = forms[c["id"]]
        answer = staff.raise_ticket(c["id"], product, slots)
        if answer.status_code != 201 or "received" not in answer.text:
            return False, f"raise answered {answer.status_code}{refusal(answer.text)}"
        tally.acknowledged.append(ticket_id_of(answer))
        return True, ""

    def get(browser, path: str, **kwargs) -> Callable:
        return lambda: page_seen(browser, browser.http.get(f"{system.shell}{path}", timeout=30, **kwargs))

    return {
        "call centre": [("customer page", get(staff, f"/customers/{mine['id']}")),
                        ("find a customer", get(staff, "/customers", params={"q": "a"})),
                        ("queue", get(staff, "/tickets/queue")),
                        ("raise", raise_one),
                        ("knowledge base", get(staff, "/kb", params={"q": "printer"}))],
        "customer": [("my account", get(customer, "/my")),
                     ("my tickets", get(customer, f"/fragments/ticketing/customers/{mine['id']}/tickets",
                                        headers={"HX-Request": "true"}))],
        "expert": [("offers", get(expert, "/fragments/experts/")),
                   ("profile", get(expert, "/fragments/experts/profile"))],
        "manager": [("reports", get(manager, "/reports")),
                    ("tickets", get(manager, "/tickets"))],
    }


def keep_working(roles: dict[str, list[tuple[str, Callable]]], tally: Tally, seconds: float,
                 around: Callable[[], ContextManager[object]] = nullcontext) -> int:
    """Every role's actions, a thread each, over and over for `seconds` inside `around()` (the monolith
    frozen, say); how many actions were tried in all."""
    stop = threading.Event()
    workers = [threading.Thread(target=work, args=(actions, tally, stop), daemon=True) for actions in roles.values()]
    with around():
        for worker in workers:
            worker.start()
        stop.wait(seconds)
        stop.set()
        for worker in workers:
            worker.join(60)
    return sum(tally.done.values()) + sum(tally.failed.values())


def work(actions: list[tuple[str, Callable]], tally: Tally, until: threading.Event) -> None:
    while not until.is_set():
        for name, action in actions:
            try:
                ok, why = action()
            except Exception as exc:  # a time-out or a refused connection is a failed action too
                ok, why = False, exc.__class__.__name__
            tally.record(name, ok, why)
