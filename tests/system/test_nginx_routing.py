"""The production routing run for real: Debian's nginx with the configuration `sysops nginx-conf`
renders (deploy/nginx.conf for the default ports) in front of the real processes, two instances of
each web app (shell, ticketing, experts, reports) and two ticketing workers, the legacy database on
PostgreSQL and the graph reached over TCP with a password. A ticket's whole journey goes through it:
staff raise it in the ticketing fragment, the offered expert accepts and closes it in the experts
fragment, the manager opens the reports; a direct visit gets a whole page, a change without the CSRF
token is refused; one instance of each app killed loses no read; a fragment with no instance left gets
its fallback."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from foundation.config import load_settings
from sysops import nginx
from sysops.procutil import free_port, wait_for_health
from tests.support.local_system import System

from .conftest import ExpertBrowser, StaffBrowser, offered_expert, raise_for_customer_1, ticket_id_of, \
    two_experts_for_customer_1

NGINX = Path("/usr/sbin/nginx")
REPO = Path(__file__).resolve().parents[2]
MAIN = """daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    include {root}/sysops.conf;
}}
"""


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
                    graph_password="graph-test-password").start()
    system.start_worker("worker2")
    second = {name: system.start_second(name, factory) for name, factory in (
        ("shell", "sysops.wsgi:monolith()"), ("ticketing", "fragments.ticketing.app:create_app()"),
        ("experts", "fragments.experts.app:create_app()"), ("reports", "fragments.reports.app:create_app()"))}
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    manifests = nginx.our_manifests()
    fragments = [(name, [f"127.0.0.1:{first}", f"127.0.0.1:{second[name]}"], nginx.read_timeout_ms(manifests[name]))
                 for name, first in (("ticketing", system.ticketing_port), ("experts", system.experts_port),
                                     ("reports", system.reports_port))]
    shells = [f"127.0.0.1:{system.shell_port}", f"127.0.0.1:{second['shell']}"]
    (root / "sysops.conf").write_text(nginx.render(shells, fragments, listen=f"127.0.0.1:{port}",
                                                   server_name="localhost"))
    (root / "main.conf").write_text(MAIN.format(root=root))
    checked = subprocess.run([str(NGINX), "-t", "-p", str(root), "-c", str(root / "main.conf"), "-e",
                              str(root / "error.log")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([str(NGINX), "-p", str(root), "-c", str(root / "main.conf"), "-e",
                               str(root / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(f"{base}/healthz", timeout=30)
        yield system, base
    finally:
        server.terminate()
        server.wait(15)
        system.stop()


def test_a_ticket_goes_from_raised_to_closed_through_nginx(routed):
    system, base = routed
    product_id, _ = two_experts_for_customer_1(system)  # setup straight on the processes, not the journey

    staff = StaffBrowser(base)
    _, slots = staff.raise_form(1)  # the raise form: a read through nginx with the shell's token
    raised = staff.raise_ticket(1, str(product_id), [slots[30]])  # a change: the CSRF-checked auth subrequest
    assert raised.status_code == 201 and "received" in raised.text, raised.text[:500]
    ticket_id = ticket_id_of(raised)
    expert_id = offered_expert(system, ticket_id)

    expert = ExpertBrowser(base, f"expert{expert_id}")
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


def test_a_direct_visit_gets_a_whole_page_and_a_change_without_csrf_is_refused(routed):
    system, base = routed
    staff = StaffBrowser(base)
    page = staff.http.get(f"{base}/fragments/ticketing/queue", timeout=15)  # no HX-Request: a visit
    assert page.status_code == 200 and "<html" in page.text and 'data-fragment="ticketing"' in page.text
    with system.graph_store() as store:
        before = len(store.tickets.list(customer_id=1, limit=1000))
    products, slots = staff.raise_form(1)
    refused = staff.http.post(f"{base}/fragments/ticketing/customers/1/tickets", timeout=15,
                              data={"product_id": products[0], "description": "Sent without the CSRF token",
                                    "slots": [slots[5]]}, headers={"HX-Request": "true"})
    assert refused.status_code == 403  # the shell's answer to nginx's auth subrequest, passed on
    with system.graph_store() as store:
        assert len(store.tickets.list(customer_id=1, limit=1000)) == before


def test_one_instance_of_each_web_app_killed_loses_no_read(routed):
    """A retry-safe request (a read) that meets a killed instance is passed to the other by nginx."""
    system, base = routed
    staff, manager, expert = StaffBrowser(base), StaffBrowser(base, "manager"), ExpertBrowser(base, "expert1")
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
    expert = ExpertBrowser(base, "expert1")
    for name in ("experts", "experts-2"):
        if name in system.processes:
            system.kill(name)
    page = expert.page("/")
    assert page.status_code == 200 and "Your offers and assignments cannot be shown right now." in page.text
