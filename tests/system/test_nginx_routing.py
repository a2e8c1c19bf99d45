"""The production routing run for real: Debian's nginx with the configuration `sysops nginx-conf`
renders (deploy/nginx.conf for the default ports) in front of the real processes, two instances of
each web app (shell, ticketing, experts, reports) and two ticketing workers, the legacy database on
PostgreSQL and the graph over TCP with a password: a primary and a replica under three sentinels,
writes acknowledged once the replica has them. A ticket's whole journey goes through it:
staff raise it in the ticketing fragment, the offered expert accepts and closes it in the experts
fragment, the manager opens the reports; a direct visit gets a whole page, a change without the CSRF
token is refused; the graph's primary, a ticketing instance and a worker killed while tickets are being
raised lose and duplicate no acknowledged ticket; one instance of each app killed loses no read; a
fragment with no instance left gets its fallback."""
from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from foundation.config import load_settings
from sysops import nginx
from tests.support.legacy_customers import add_customers
from tests.support.local_system import System
from tests.support.nginx_front import NGINX, NginxFront

from .conftest import StaffBrowser, offered_expert, ticket_id_of
from .crew import Crew, own_customer, two_experts
from .journeys import not_starting_soon

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_deploy_file_is_what_the_defaults_render():
    defaults = load_settings({"SYSOPS_DATA_DIR": "/tmp/unused"})
    assert (REPO / "deploy" / "nginx.conf").read_text() == nginx.for_settings(defaults)


@pytest.fixture(scope="module")
def routed(tmp_path_factory, fresh_database_url):
    """The production topology on this machine: nginx, two instances of each web app, two ticketing
    workers, the legacy database on PostgreSQL, the graph over TCP with a password."""
    if not NGINX.exists():
        pytest.fail("nginx is not installed: `make test` installs it (scripts/install-test-prereqs.sh)")
    system = System(tmp_path_factory.mktemp("nginx-system"), database_url=fresh_database_url("postgresql"),
                    graph_password="graph-test-password", graph_ha=True).start()
    system.start_worker("worker2")
    second = {name: system.start_second(name, factory) for name, factory in (
        ("shell", "sysops.wsgi:monolith()"), ("ticketing", "fragments.ticketing.app:create_app()"),
        ("experts", "fragments.experts.app:create_app()"), ("reports", "fragments.reports.app:create_app()"))}
    front = NginxFront(tmp_path_factory.mktemp("nginx"), [f"127.0.0.1:{system.shell_port}", f"127.0.0.1:{second['shell']}"],
                       {**{name: [f"127.0.0.1:{first}", f"127.0.0.1:{second[name]}"] for name, first in (
                           ("ticketing", system.ticketing_port), ("experts", system.experts_port),
                           ("reports", system.reports_port))},
                        "knowledge": [f"127.0.0.1:{system.knowledge_port}"]})
    try:
        front.start()
        system.second_ports = second
        yield system, front.base
    finally:
        front.stop()
        system.stop()


def test_a_ticket_goes_from_raised_to_closed_through_nginx(routed):
    system, base = routed
    crew = two_experts(system)  # setup straight on the processes, not the journey
    _journey(system, base, crew)


def _journey(system, base: str, crew: Crew) -> None:
    staff = StaffBrowser(base)
    _, slots = staff.raise_form(crew.customer_id)  # the raise form: a read through nginx with the shell's token
    slot = slots[30]  # one the crew's experts are free at: nothing else of theirs is booked there
    raised = staff.raise_ticket(crew.customer_id, str(crew.product_id), [slot])  # a change: the CSRF-checked auth subrequest
    assert raised.status_code == 201 and "received" in raised.text, raised.text[:500]
    ticket_id = ticket_id_of(raised)
    expert_id = offered_expert(system, ticket_id)

    expert = crew.expert(base, expert_id)
    work = expert.page("/")
    assert work.status_code == 200 and 'data-fragment="experts"' in work.text
    assert expert.act(f"/offers/{ticket_id}/accept").status_code == 200
    closed = expert.act(f"/tickets/{ticket_id}/close", {"resolution": "Replaced the display cable; works again."})
    assert closed.status_code == 200, closed.text[:500]
    with system.graph_store() as store:
        assert store.tickets.get(ticket_id)["status"] == "closed"

    manager = StaffBrowser(base, "manager")
    report = manager.http.get(f"{base}/fragments/reports/", headers={"HX-Request": "true"}, timeout=30)
    assert report.status_code == 200 and 'data-fragment="reports"' in report.text


class RaisingCalls:
    """Call-centre staff raising tickets through nginx one after the other, for the customers in turn;
    a raise that is not answered 201 is sent again with the same form (its raise key) until it is, as a
    person would."""

    def __init__(self, base: str, customer_ids: list[int], product_id: int):
        self.staff, self.customer_ids, self.product_id = StaffBrowser(base), customer_ids, str(product_id)
        self.acknowledged: dict[str, int] = {}  # description -> ticket id
        self.refusals: list[int | str] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None  # what ended the calls early, reported by wait_for

    def run(self) -> None:
        try:
            self._raise_until_stopped()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread, which reports it
            self.failure = exc
            self.stop.set()

    def _raise_until_stopped(self) -> None:
        n = 0
        while not self.stop.is_set():
            customer_id = self.customer_ids[n % len(self.customer_ids)]
            try:
                form = self.staff.fragment(f"/customers/{customer_id}/tickets/new")
            except requests.RequestException as exc:  # no answer in time while the graph fails over: read again
                self.refusals.append(type(exc).__name__)
                self.stop.wait(0.1)
                continue
            if form.status_code != 200 or 'name="raise_key"' not in form.text:
                # (the form reads the customer's plans from the graph: while it fails over, the page's
                # fallback stands in for the form, as for any fragment that cannot answer)
                self.refusals.append(form.status_code if form.status_code != 200 else "fallback")
                self.stop.wait(0.1)
                continue
            key = re.search(r'name="raise_key" value="([^"]+)"', form.text).group(1)
            # (none of today's or tomorrow's: a slot of today may start while the calls run, and is refused)
            slots = not_starting_soon(re.findall(r'<option value="(\d{4}-\d\d-\d\d \w+)"', form.text))
            description = f"Failover raise {n}: the screen stays black"
            while not self.stop.is_set():
                try:
                    answer = self.staff.post(f"/customers/{customer_id}/tickets", {
                        "product_id": self.product_id, "description": description, "slots": [slots[n % 20]],
                        "raise_key": key})
                except requests.RequestException as exc:
                    self.refusals.append(type(exc).__name__)
                    continue
                if answer.status_code == 201:
                    self.acknowledged[description] = ticket_id_of(answer)
                    break
                assert answer.status_code in (502, 503, 504), (answer.status_code, answer.text[:300])
                self.refusals.append(answer.status_code)
                self.stop.wait(0.1)
            n += 1

    def wait_for(self, count: int) -> None:
        while len(self.acknowledged) < count:
            if self.stop.wait(0.05):
                raise AssertionError(f"the calls stopped at {len(self.acknowledged)} acknowledged raises, "
                                     f"refusals {self.refusals[-20:]}") from self.failure


def test_killing_the_graph_primary_an_instance_and_a_worker_mid_traffic_loses_no_ticket(routed):
    system, base = routed
    crew = two_experts(system)
    # Customers on the crew's plan, which allows each 50 open tickets: the calls may raise more than that.
    more = add_customers(system.env["DATABASE_URL"], 3, product_ids=[crew.product_id], plan_id=crew.plan_id)
    calls = RaisingCalls(base, [crew.customer_id, *(c["id"] for c in more)], crew.product_id)
    traffic = threading.Thread(target=calls.run, daemon=True)
    traffic.start()
    timer = threading.Timer(600, calls.stop.set)  # a hung system fails the test rather than the run
    timer.start()
    try:
        calls.wait_for(10)
        cluster = system.graph_cluster
        primary = cluster.primary()
        cluster.kill(primary)
        system.kill("worker2")
        cluster.wait_promoted(away_from=primary)
        cluster.start_server(primary)  # as the supervisor would: back as the replica of the promoted one
        calls.wait_for(len(calls.acknowledged) + 1)
        system.kill("ticketing-2")
        calls.wait_for(len(calls.acknowledged) + 10)
    finally:
        calls.stop.set()
        timer.cancel()
        traffic.join(60)
        # the supervisor's part: the killed processes back, for the tests that follow
        system.start_worker("worker2")
        if "ticketing-2" not in system.processes:
            system.start_second("ticketing", "fragments.ticketing.app:create_app()", system.second_ports["ticketing"])
    assert calls.refusals, "the kills were not met by the traffic"
    with system.graph_store() as store:
        rows = store.backend.read("MATCH (t:Ticket) WHERE t.description STARTS WITH 'Failover raise ' "
                                  "RETURN t.description AS description, t.id AS id")
    stored: dict[str, list[int]] = {}
    for row in rows:
        stored.setdefault(row["description"], []).append(row["id"])
    assert {d: ids for d, ids in stored.items() if len(ids) > 1} == {}  # 0 duplicates
    assert {d for d, ticket_id in calls.acknowledged.items() if stored.get(d) != [ticket_id]} == set()  # 0 lost
    _journey(system, base, crew)  # and the whole journey still completes


def test_a_direct_visit_gets_a_whole_page_and_a_change_without_csrf_is_refused(routed):
    system, base = routed
    staff = StaffBrowser(base)
    page = staff.http.get(f"{base}/fragments/ticketing/queue", timeout=15)  # no HX-Request: a visit
    assert page.status_code == 200 and "<html" in page.text and 'data-fragment="ticketing"' in page.text
    customer_id, products, slots = own_customer(system, staff)
    with system.graph_store() as store:
        before = len(store.tickets.list(customer_id=customer_id, limit=1000))
    refused = staff.http.post(f"{base}/fragments/ticketing/customers/{customer_id}/tickets", timeout=15,
                              data={"product_id": products[0], "description": "Sent without the CSRF token",
                                    "slots": [slots[5]]}, headers={"HX-Request": "true"})
    assert refused.status_code == 403  # the shell's answer to nginx's auth subrequest, passed on
    with system.graph_store() as store:
        assert len(store.tickets.list(customer_id=customer_id, limit=1000)) == before


def test_one_instance_of_each_web_app_killed_loses_no_read(routed):
    """A retry-safe request (a read) that meets a killed instance is passed to the other by nginx."""
    system, base = routed
    crew = two_experts(system)
    staff, manager, expert = StaffBrowser(base), StaffBrowser(base, "manager"), crew.expert(base, crew.expert_ids[0])
    reads = [(staff.http, "/tickets", "legacy-footer"), (staff.http, "/fragments/ticketing/queue", 'data-fragment="ticketing"'),
             (expert.http, "/fragments/experts/", 'data-fragment="experts"'),
             (manager.http, "/fragments/reports/", 'data-fragment="reports"')]

    def read_all() -> None:
        for session, path, marker in reads:
            answer = session.get(f"{base}{path}", headers={"HX-Request": "true"} if "/fragments/" in path else {},
                                 timeout=30)
            assert answer.status_code == 200 and marker in answer.text, (path, answer.status_code, answer.text[:300])
            assert answer.headers.get("X-Fragment-Fallback") is None, path  # the live instance answered

    read_all()
    for name in ("shell-2", "ticketing-2", "experts-2", "reports-2"):
        system.kill(name)
        for _ in range(3):  # round robin: every read meets the dead instance at least once
            read_all()


def test_a_fragment_with_no_instance_left_gets_its_fallback_through_nginx(routed):
    system, base = routed
    crew = two_experts(system)  # before the experts service goes: an admin takes them on there
    expert = crew.expert(base, crew.expert_ids[0])
    for name in ("experts", "experts-2"):
        if name in system.processes:
            system.kill(name)
    said = "Your offers and assignments cannot be shown right now."  # beside the slot in the expert's home
    home = expert.http.get(f"{base}/", timeout=20)
    assert home.status_code == 200 and said in home.text and quote(said, safe=" ") in home.text
    # htmx's request for the slot (its Retry) carries the page's words; nginx's fallback route answers with them
    page = expert.http.get(f"{base}/fragments/experts/", timeout=20,
                           headers={"HX-Request": "true", "X-Slot-Fallback": quote(said, safe=" ")})
    assert page.status_code == 200 and said in page.text
