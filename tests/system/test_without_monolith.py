"""Without the monolith (ADR 0036), every process over real HTTP: the migration finished and checked with
the monolith running, the monolith retired, then every process started again without it; its processes
are not running, and its database's address and the bridge's lead nowhere. Every role's daily work goes
on: the same journeys as under the freeze, and a whole ticket's life on a product the admin adds now,
from the sale of a plan to the expert's close."""
from __future__ import annotations

import datetime as dt
import re
import time
import uuid

import pytest
import requests

from foundation.tokens import Principal
from tests.graph.identity_support import PASSWORD
from tests.support.keys import mint
from tests.support.local_system import System

from .conftest import ExpertBrowser, StaffBrowser, ticket_id_of
from .journeys import Tally, enrol, journeys, keep_working, page_ok, take_on_expert

WORK_S = 20.0
PASSWORD_SET = "a long one of my own 42"


@pytest.fixture(scope="module")
def retired(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("no-monolith"), front_door="shell").start()
    try:
        people = enrol(running)  # while it runs: its database is where a test's own people start
        checks = running.retire_monolith()
        yield running, people, checks
    finally:
        running.stop()


def test_the_monolith_was_retired_after_every_part_was_checked_and_none_of_it_runs(retired):
    system, _, checks = retired
    assert {c.part for c in checks} >= {"sign-in", "outbox owner", "tickets", "experts' assignment facts",
                                         "knowledge base", "outbox messages", "customers", "products", "plans",
                                         "locales", "accounts", "staff alerts"}
    assert all(c.ok for c in checks), checks
    assert "bridge" not in system.processes and "outbox-worker" not in system.processes
    assert not [name for name, process in system.processes.items() if "sysops.wsgi:monolith()" in process.args]
    assert system.env["SYSOPS_MONOLITH"] == "retired"
    with pytest.raises(requests.ConnectionError):  # where the bridge was, nothing answers
        requests.get(f"{system.env['SYSOPS_BRIDGE_URL']}/healthz", timeout=5)
    assert requests.get(f"{system.shell}/healthz", timeout=10).json()["app"] == "shell"


def test_every_role_works_a_day_without_the_monolith(retired):
    system, people, _ = retired
    tally = Tally()
    roles = journeys(system, tally, people)  # everyone signs in at the identity service alone
    for name, action in [pair for actions in roles.values() for pair in actions]:
        ok, why = action()
        assert ok, f"{name}: {why}"
    total = keep_working(roles, tally, WORK_S)
    print(f"\nwithout the monolith for {WORK_S:.0f} s: {total} actions, {tally.rate():.2%} succeeded; "
          f"by action {dict(tally.done)}; failed {dict(tally.failed)}")
    assert total >= 60 and tally.rate() == 1.0, tally.why
    with system.graph_store() as store:
        for ticket_id in tally.acknowledged:
            assert store.tickets.get(ticket_id).history, ticket_id


def _one_id(system: System, query: str, **params) -> int:
    with system.graph_store() as store:
        rows = store.backend.read(query, params)
    assert len(rows) == 1, rows
    return int(rows[0]["id"])


def _settled(system: System, ticket_id: int, value, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    with system.graph_store() as store:
        while (found := value(store.tickets.get(ticket_id))) is None:
            assert time.monotonic() < deadline, f"ticket {ticket_id} did not settle"
            time.sleep(0.1)
    return found


def test_a_product_added_today_is_sold_raised_offered_accepted_worked_and_closed_without_the_monolith(retired):
    system, people, _ = retired
    tag = uuid.uuid4().hex[:6].upper()
    admin = StaffBrowser(system.shell, people.admin, PASSWORD)
    headers = {"HX-Request": "true", "X-CSRF-Token": admin.csrf}
    made = admin.http.post(f"{system.shell}/fragments/customers/admin/products", headers=headers, timeout=30,
                           data={"sku": f"HEAT-{tag}", "name": f"Heat pump {tag}", "category": "Energy",
                                 "manufacturer": "Calora"})
    assert made.status_code == 200 and "Product added" in made.text, made.text[:300]
    product_id = _one_id(system, "MATCH (p:Product {sku: $sku}) RETURN p.id AS id", sku=f"HEAT-{tag}")
    today = dt.date.today().isoformat()
    plan = admin.http.post(f"{system.shell}/fragments/customers/admin/plans", headers=headers, timeout=30, data={
        "code": f"WARM{tag}", "name": f"Warm all year {tag}", "monthly_price": "12.50", "max_open_tickets": "3",
        "product_ids": [str(product_id)], "terms_from": today, "terms_accept_hours": "8", "terms_visit_days": "3",
        "terms_weekdays": "mon-sun", "terms_opens": "00:00", "terms_closes": "23:59"})
    assert plan.status_code == 200 and "Plan added" in plan.text, plan.text[:300]
    plan_id = _one_id(system, "MATCH (p:Plan {code: $code}) RETURN p.id AS id", code=f"WARM{tag}")
    # The call centre sells it to a customer of theirs on the phone.
    staff = StaffBrowser(system.shell, people.staff, PASSWORD)
    customer_id = people.customers[1]["id"]
    sold = staff.http.post(f"{system.shell}/fragments/customers/customers/{customer_id}/contracts", timeout=30,
                           headers={"HX-Request": "true", "X-CSRF-Token": staff.csrf},
                           data={"plan_id": str(plan_id), "start_date": today, "months": "12",
                                 "product_ids": [str(product_id)]})
    assert sold.status_code == 200 and "Sold: contract" in sold.text, sold.text[:300]
    # Raised before anyone serves it: nobody to offer it to, and the staff see the alert on their outbox page.
    products, slots = staff.raise_form(customer_id)
    assert str(product_id) in products
    waiting = staff.raise_ticket(customer_id, str(product_id), slots[-1:])
    assert waiting.status_code == 201, waiting.text[:300]
    reference = f"N-{ticket_id_of(waiting)}"
    deadline, outbox = time.monotonic() + 30, ""
    while reference not in outbox and time.monotonic() < deadline:
        outbox = staff.http.get(f"{system.shell}/outbox", timeout=30).text  # 301 to the notifications service's
        time.sleep(0.1) if reference not in outbox else None
    assert "ticket-unassigned" in outbox and reference in outbox
    # The admin takes on an expert for it, opens their account, and hands them the password link.
    expert_id = take_on_expert(system, admin, product_id, people.locale_id)
    name = f"fixer-{expert_id}-{tag.lower()}"
    opened = admin.http.post(f"{system.shell}/fragments/identity/admin/accounts/new", headers=headers, timeout=30, data={
        "username": name, "display_name": "Frieda Fixer", "role": "expert", "expert_id": str(expert_id)})
    assert opened.status_code == 200 and "Account opened" in opened.text, opened.text[:400]
    link = re.search(r'aria-label="Password link" readonly value="([^"]+)"', opened.text).group(1)
    person = requests.Session()
    form = person.get(link, timeout=15)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert person.post(link, data={"csrf_token": csrf, "new": PASSWORD_SET, "confirm": PASSWORD_SET},
                       timeout=30).status_code == 200
    expert = ExpertBrowser(system.shell, name, PASSWORD_SET)
    # A knowledge-base article for it, written now (without its product: the knowledge base's lists show a
    # product added today within minutes, knowledge.CATALOGUE_SECONDS).
    article = admin.http.post(f"{system.shell}/fragments/knowledge/articles/new", headers=headers, timeout=30, data={
        "title": f"Heat pump {tag} blows cold", "symptoms": "Cold air comes out of the indoor unit",
        "steps": "1. Reset the outdoor unit\n2. Check the refrigerant pressure", "tags": "heating", "keywords": "cold"})
    assert article.status_code == 201, article.text[:300]
    article_id = _one_id(system, "MATCH (a:Article {title: $title}) RETURN a.id AS id", title=f"Heat pump {tag} blows cold")
    # Raised on the phone, offered to the one expert who serves it, accepted, worked and closed.
    raised = staff.raise_ticket(customer_id, str(product_id), slots[:2])
    assert raised.status_code == 201, raised.text[:300]
    ticket_id = ticket_id_of(raised)
    offered = _settled(system, ticket_id, lambda t: next(
        (a["expert_id"] for a in t["allocations"] if a["state"] == "offered"), None))
    assert offered == expert_id
    assert f"/offers/{ticket_id}/accept" in expert.page("/").text
    accepted = expert.act(f"/offers/{ticket_id}/accept")
    assert accepted.status_code == 200 and "the slot is yours" in accepted.text, accepted.text[:300]
    attached = expert.act(f"/tickets/{ticket_id}/articles", {"article_id": str(article_id)})
    assert attached.status_code == 200 and "Article attached" in attached.text, attached.text[:300]
    closed = expert.act(f"/tickets/{ticket_id}/close", {"resolution": "Reset the outdoor unit; warm again."})
    assert closed.status_code == 200 and "Closed" in closed.text, closed.text[:300]
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
        assert ticket.status == "closed" and ticket.customer_id == customer_id
        assert [a["id"] for a in store.tickets.articles(ticket_id)] == [article_id]
    # The customer hears of it through the notifications service: the booking, and the survey.
    token = mint(Principal("service", "ticketing"), "fragment:notifications")
    deadline, subjects = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        messages = requests.get(f"{system.notifications}/api/v1/messages", params={"customer_id": customer_id},
                                headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["items"]
        subjects = [m["subject"] for m in messages if str(ticket_id) in m["subject"] + m["body"]]
        if any("survey" in s.lower() or "how did" in s.lower() for s in subjects):
            break
        time.sleep(0.2)
    assert len(subjects) >= 2, subjects
    # The manager's reports count it.
    manager = StaffBrowser(system.shell, people.manager, PASSWORD)
    assert page_ok(manager.http.get(f"{system.shell}/reports", timeout=30))[0]


def test_a_name_nobody_holds_is_refused_like_a_wrong_password_with_nobody_else_asked(retired):
    """No monolith to look a name up in: an unknown name costs the identity service what a wrong password
    does (benchmarks/identity_login_timing.py measures it) and gets the same answer."""
    system, people, _ = retired
    answers = []
    for username in (people.staff, f"nobody-{uuid.uuid4().hex[:8]}"):
        session = requests.Session()
        page = session.get(f"{system.shell}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = session.post(f"{system.shell}/login", timeout=30,
                              data={"csrf_token": csrf, "username": username, "password": "not the password"})
        answers.append((answer.status_code, re.sub(r'value="[^"]*"', "", answer.text)))
    assert answers[0][0] == answers[1][0] == 401
    assert answers[0][1] == answers[1][1]  # the same page, the name typed left out
