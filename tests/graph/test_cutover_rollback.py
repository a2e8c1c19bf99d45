"""The cut-over and rollback rehearsal: switch the new ticketing on (open legacy work moves eagerly),
edit tickets and raise new ones in the new system, roll back, and the legacy screens show every edit
and every new ticket and can change them again. Real monolith, real FalkorDB, the real CLI."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import requests

from foundation.vocabulary import LEGACY_OPEN
from fragments.customers.adapters.customers import GraphCatalogue, GraphCustomers
from fragments.customers.published.reader_v1 import CustomerReader
from fragments.ticketing.adapters import graph_stores
from fragments.ticketing.adapters.customers import PublishedCustomers
from fragments.ticketing.domain.slots import upcoming_choices
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from graph_store.backends.falkordb_backend import FalkorBackend
from shell_app.demo_data import create_and_seed
from sysops.graph_data import GraphData
from tests.support.fake_notifier import FakeNotifier

from ..support.keys import env as keys_env
from ..support.local_system import lift_open_ticket_limits
from ..support.processes import ServedMonolith
from .conftest import SECRET, bridge_client

DEMO_PASSWORD = "sysops-demo"


def sysops(base: str, socket_path, graph: str, *args: str, database_url: str | None = None,
           crash_at: str | None = None) -> subprocess.CompletedProcess:
    """`sysops ARGS` on this graph and bridge; with `crash_at`, killed (SIGKILL) at that point (graph_store.faults)."""
    env = {**os.environ, "SYSOPS_GRAPH_URL": f"unix://{socket_path}", "SYSOPS_GRAPH_NAME": graph,
           "SYSOPS_BRIDGE_URL": base, "SYSOPS_SESSION_KEY": SECRET, **keys_env()}
    if database_url:  # the monolith's database, for what its owners of parts are kept in
        env["DATABASE_URL"] = database_url
    env.pop("SYSOPS_CRASH_AT", None)
    if crash_at:
        env["SYSOPS_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


class LegacyScreens:
    """A call-centre agent on the monolith's own pages (the ticketing fragment switched off)."""

    def __init__(self, base: str):
        self.base, self.web = base, requests.Session()
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.web.get(f"{base}/login").text).group(1)
        self.web.post(f"{base}/login", data={"username": "callcentre", "password": DEMO_PASSWORD, "csrf_token": token})

    def ticket(self, ticket_id: int) -> str:
        page = self.web.get(f"{self.base}/tickets/{ticket_id}", timeout=30)
        assert page.status_code == 200, page.status_code
        return page.text

    def add_note(self, ticket_id: int, note: str) -> int:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.ticket(ticket_id)).group(1)
        return self.web.post(f"{self.base}/tickets/{ticket_id}/notes", data={"note": note, "csrf_token": token},
                             allow_redirects=False, timeout=30).status_code


def test_cut_over_edit_raise_then_roll_back_and_the_legacy_screens_show_everything(falkor_server, tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    create_and_seed(url, seed=23, anchor=dt.date.today())
    graph = "rehearsal"
    with ServedMonolith(url, SECRET, env={"SYSOPS_FRAGMENTS": ""}) as base:
        backend = FalkorBackend(graph=graph, unix_socket_path=str(falkor_server.socket_path))
        backend.clear()
        store = GraphData(backend, bridge_client(base, "backfill"))
        open_work = list(store.bridge.legacy_ticket_ids(statuses=LEGACY_OPEN))
        closed = next(iter(store.bridge.legacy_ticket_ids(statuses=("closed",))))
        assert open_work

        # Switch-on day: open legacy work moves now, with its slots; closed tickets stay lazy.
        on = sysops(base, falkor_server.socket_path, graph, "cutover")
        assert on.returncode == 0, on.stdout + on.stderr
        assert f"{len(open_work)} open legacy tickets moved" in on.stdout
        assert {i for i in open_work if store.tickets.find(i) is None} == set()
        assert store.tickets.find(closed) is None

        # Weeks in the new system: notes on migrated tickets (one moved lazily), two new tickets raised.
        ticketing_graph = GraphData(backend, bridge_client(base, "ticketing"))
        # Customers and the catalogue as the customers service holds them (copied first, as `make run` does).
        holder = bridge_client(base, "customers")
        GraphCatalogue(backend, holder).copy_all()
        GraphCustomers(backend, holder).backfill()
        lift_open_ticket_limits(backend)  # this test raises several tickets for the same customers
        ticketing = build(graph_stores(ticketing_graph.backend, ticketing_graph.bridge), ticketing_graph.bridge,
                          notifier=FakeNotifier(), customers=PublishedCustomers(CustomerReader(backend, None)))
        ticketing.management.add_note(open_work[0], "Customer called: the noise is back", "callcentre")
        ticketing.management.add_note(closed, "Customer asked for a copy of the invoice", "callcentre")
        raised = []
        for customer_id in range(1, 26):
            products = ticketing.management.covered_products(customer_id)
            if len(raised) == 2:
                break
            if products:
                slot = upcoming_choices(dt.datetime.now())[10 + len(raised)][0]
                raised.append(ticketing.orchestrator.raise_ticket(RaiseRequest(
                    customer_id, products[0]["id"], f"Raised after the cut-over, number {len(raised) + 1}",
                    [slot], "phone", "callcentre")))
        assert len(raised) == 2

        # Going back.
        refused = sysops(base, falkor_server.socket_path, graph, "rollback")
        assert refused.returncode == 2 and store.tickets.find(raised[0].id) is not None
        off = sysops(base, falkor_server.socket_path, graph, "rollback", "--yes")
        assert off.returncode == 0, off.stdout + off.stderr
        assert backend.read("MATCH (t:Ticket) RETURN count(t) AS n")[0]["n"] == 0

        # The legacy screens show every edit and every new ticket, and can change them again.
        screens = LegacyScreens(base)
        assert "Customer called: the noise is back" in screens.ticket(open_work[0])
        assert "Customer asked for a copy of the invoice" in screens.ticket(closed)
        for ticket in raised:
            page = screens.ticket(ticket.id)
            assert ticket.reference in page and ticket.description in page and "moved to the new" not in page
            assert screens.add_note(ticket.id, "Back in the legacy system") == 302
            assert "Back in the legacy system" in screens.ticket(ticket.id)
        listing = screens.web.get(f"{base}/tickets", timeout=30).text
        assert all(ticket.reference in listing for ticket in raised)
        # Nothing is left frozen: every ticket is the legacy system's again.
        assert store.bridge.legacy_stats()["frozen"] == 0
        for client in (store.bridge, ticketing_graph.bridge):
            client.close()
        backend.clear()
        backend.close()
