"""The composition shell at the front door (ADR 0033), every process over real HTTP: people of every role
keep working while the monolith (here its one process, the bridge's) is frozen with SIGSTOP for 30 s,
and nothing acknowledged to them is lost after the thaw. The test makes its own customers, accounts
and expert, and signs everyone in before the freeze (a first sign-in of an account the identity
service has not copied yet asks the monolith for it)."""
from __future__ import annotations

import os
import re
import signal
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests

from foundation.tokens import Principal
from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.keys import mint
from tests.support.legacy_customers import add_customers
from tests.support.local_system import System
from tests.support.nginx_front import NGINX, NginxFront

from .conftest import StaffBrowser, ticket_id_of
from .journeys import Tally, admin_signed_in, journeys, keep_working, page_seen

FREEZE_S = 30.0


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("front-shell"), front_door="shell").start()
    yield running
    running.stop()


system_tally = Tally()


@contextmanager
def frozen(group: int) -> Iterator[None]:
    """The process group SIGSTOPped while inside, SIGCONTed on leaving whatever happens."""
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def test_every_role_keeps_working_through_the_front_door_while_the_monolith_is_frozen(system):
    roles = journeys(system, system_tally)
    for name, action in [pair for actions in roles.values() for pair in actions]:  # a working day before it
        ok, why = action()
        assert ok, f"{name} before the freeze: {why}"
    system_tally.acknowledged.clear()
    total = keep_working(roles, system_tally, FREEZE_S, around=lambda: frozen(system.processes["bridge"].pid))
    print(f"\nmonolith frozen {FREEZE_S:.0f} s: {total} actions, {system_tally.rate():.2%} succeeded; "
          f"by action {dict(system_tally.done)}; failed {dict(system_tally.failed)}")
    assert total >= 60, "too few actions to judge"
    assert system_tally.rate() >= 0.99, system_tally.why
    assert all(system_tally.done[name] for actions in roles.values() for name, _ in actions), system_tally.done
    # After the thaw: every ticket answered "received" is there, with its history.
    assert system_tally.acknowledged
    with system.graph_store() as store:
        for ticket_id in system_tally.acknowledged:
            assert store.tickets.get(ticket_id).history, ticket_id


@pytest.fixture(scope="module")
def routed(system, tmp_path_factory):
    """nginx in front, as production routes it behind the composition shell: the auth subrequest goes to
    the identity service itself (sysops.nginx.AUTH)."""
    if not NGINX.exists():
        pytest.fail("nginx is not installed: `make test` installs it (scripts/install-test-prereqs.sh)")
    ports = {name: getattr(system, f"{name}_port") for name in ("ticketing", "experts", "reports", "knowledge",
                                                                "notifications", "customers", "identity")}
    front = NginxFront(tmp_path_factory.mktemp("nginx-front-shell"), [f"127.0.0.1:{system.shell_port}"],
                       {name: [f"127.0.0.1:{port}"] for name, port in ports.items()}, auth="identity").start()
    yield front
    front.stop()


def test_through_nginx_the_identity_service_answers_the_auth_subrequest_while_the_monolith_is_frozen(system, routed):
    url = system.env["DATABASE_URL"]
    customer, = add_customers(url, 1)
    staff = StaffBrowser(routed.base, legacy_account(url, role="call_centre").username, PASSWORD)
    assert page_seen(staff, staff.http.get(f"{routed.base}/customers/{customer['id']}", timeout=30))[0]
    products, slots = staff.raise_form(customer["id"])
    with frozen(system.processes["bridge"].pid):
        panel = staff.fragment(f"/customers/{customer['id']}/tickets")  # htmx: nginx -> identity -> ticketing
        assert panel.status_code == 200 and "X-Fragment" not in panel.headers  # not through the shell's proxy
        raised = staff.raise_ticket(customer["id"], products[0], slots[:1])
        assert raised.status_code == 201, raised.text[:300]
        refused = staff.http.post(f"{routed.base}/fragments/ticketing/customers/{customer['id']}/tickets", timeout=15,
                                  data={"description": "x"}, headers={"HX-Request": "true", "X-CSRF-Token": "wrong"})
        assert refused.status_code == 403  # the identity service's CSRF check, before ticketing is asked
    with system.graph_store() as store:
        assert store.tickets.get(ticket_id_of(raised)).customer_id == customer["id"]


def test_an_admin_opens_a_customers_account_and_the_link_reaches_them_through_the_notifications_service(system):
    """Through the shell: the admin's pages are the identity service's; the link goes out as a message
    of the notifications service to the customer; it opens at the front door's own address."""
    url = system.env["DATABASE_URL"]
    customer, = add_customers(url, 1)
    admin = admin_signed_in(system)
    assert page_seen(admin, admin.http.get(f"{system.shell}/customers/{customer['id']}", timeout=30))[0]  # in the service now
    name = f"cust-{customer['id']}-{time.time_ns() % 10**6}"
    opened = admin.http.post(f"{system.shell}/fragments/identity/admin/accounts/new", timeout=30, data={
        "csrf_token": admin.csrf, "username": name, "display_name": "Carla Customer", "role": "customer",
        "customer_id": str(customer["id"])}, headers={"HX-Request": "true"})
    assert opened.status_code == 200 and "went to the address we have" in opened.text, opened.text[:400]
    token = mint(Principal("service", "identity"), "fragment:notifications")
    deadline, link = time.monotonic() + 30, None
    while link is None and time.monotonic() < deadline:
        messages = requests.get(f"{system.notifications}/api/v1/messages", params={"customer_id": customer["id"]},
                                headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["items"]
        found = [re.search(r"(http://\S+/account/reset/[\w-]+)", m["body"]) for m in messages]
        link = next((f.group(1) for f in found if f), None)
        time.sleep(0.1) if link is None else None
    assert link is not None and link.startswith(system.shell)
    person = requests.Session()
    form = person.get(link, timeout=15)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    done = person.post(link, data={"csrf_token": csrf, "new": "carla's own 123", "confirm": "carla's own 123"},
                       timeout=30)
    assert done.status_code == 200 and done.url == f"{system.shell}/my" and "My account" in done.text
    assert person.get(link, timeout=15).status_code == 410


def test_the_monoliths_screens_are_not_the_front_door(system):
    """What answers at the front is the composition shell: its health names it, and a legacy address
    leads to its successor."""
    assert requests.get(f"{system.shell}/healthz", timeout=10).json()["app"] == "shell"
    moved = requests.get(f"{system.shell}/outbox", timeout=10, allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["Location"] == "/fragments/notifications/outbox"
    assert re.search(r"database", requests.get(f"{system.bridge}/healthz", timeout=10).text)
