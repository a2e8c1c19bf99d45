"""The seam between the legacy database and the graph while both hold live data: writers keep adding
notes and changing status on the legacy screens and through the bridge while tickets are first read
(lazily and by the backfill), on SQLite and on PostgreSQL. Every write the legacy system accepted
must be in the graph master, and reconciliation must find nothing to repair."""
from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from dataclasses import dataclass, field

import pytest
import requests

from foundation.tokens import Principal
from fragments.ticketing.adapters.migration import backfill
from graph_store.backends.falkordb_backend import FalkorBackend
from shell_app.demo_data import create_and_seed
from sysops.graph_data import SCHEMA, GraphData

from ..support.keys import mint
from ..support.processes import ServedMonolith
from ..support.waiting import wait_until
from .conftest import SECRET, bridge_client

ANCHOR_DATE = dt.date(2026, 11, 1)
DEMO_PASSWORD = "sysops-demo"
_graphs = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def seam(request, falkor_server, fresh_database_url):
    url = fresh_database_url(request.param)
    create_and_seed(url, seed=31, anchor=ANCHOR_DATE)
    with ServedMonolith(url, SECRET, workers=3) as base:
        backend = FalkorBackend(graph=f"seam{next(_graphs)}", unix_socket_path=str(falkor_server.socket_path))
        backend.clear()
        backend.ensure_schema(SCHEMA)
        store = GraphData(backend, bridge_client(base, "backfill"))
        yield base, store
        store.bridge.close()
        backend.clear()
        backend.close()


@dataclass
class Ledger:
    """What each writer was told: accepted writes must all reach the graph."""
    accepted_notes: dict[int, list[str]] = field(default_factory=dict)
    refused: dict[int, int] = field(default_factory=dict)
    accepted_status: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept_note(self, ticket_id: int, text: str) -> None:
        with self.lock:
            self.accepted_notes.setdefault(ticket_id, []).append(text)

    def accept_status(self, ticket_id: int) -> None:
        with self.lock:
            self.accepted_status[ticket_id] = self.accepted_status.get(ticket_id, 0) + 1

    def refuse(self, ticket_id: int) -> None:
        with self.lock:
            self.refused[ticket_id] = self.refused.get(ticket_id, 0) + 1


def screen_session(base: str) -> tuple[requests.Session, str]:
    """A call-centre agent logged in through the legacy login form."""
    web = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(f"{base}/login").text).group(1)
    web.post(f"{base}/login", data={"username": "callcentre", "password": DEMO_PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(f"{base}/tickets").text).group(1)
    return web, token


class Writer(threading.Thread):
    """Adds notes (and flips assigned <-> in progress) on its tickets until every one refuses it."""

    def __init__(self, name: str, base: str, tickets: list[int], ledger: Ledger, via: str):
        super().__init__(name=name, daemon=True)
        self.base, self.tickets, self.ledger, self.via = base, tickets, ledger, via
        self.frozen: set[int] = set()
        self.errors: list[str] = []
        if via == "screen":
            self.http, self.csrf = screen_session(base)
        else:
            self.http = requests.Session()
            token = mint(Principal("user", "callcentre", "call_centre"), "bridge")
            self.http.headers["Authorization"] = f"Bearer {token}"

    def post(self, ticket_id: int, kind: str, data: dict) -> int:
        if self.via == "screen":
            return self.http.post(f"{self.base}/tickets/{ticket_id}/{kind}", data={**data, "csrf_token": self.csrf},
                                  allow_redirects=False, timeout=60).status_code
        return self.http.post(f"{self.base}/bridge/v1/legacy-tickets/{ticket_id}/{kind}", json=data,
                              timeout=60).status_code

    def run(self) -> None:
        for n in itertools.count():
            live = [t for t in self.tickets if t not in self.frozen]
            if not live:
                return
            ticket_id = live[n % len(live)]
            text = f"{self.name} note {n}"
            if n % 4 == 3:  # every fourth write flips the status: assigned <-> in progress
                status = "in_progress" if (n // 4 + len(self.name)) % 2 else "assigned"
                code = self.post(ticket_id, "status", {"status": status, "note": text})
                accepted = {"screen": 302, "bridge": 200}[self.via]
                if code == accepted:
                    self.ledger.accept_status(ticket_id)
                    self.ledger.accept_note(ticket_id, text)
                elif code == 409:
                    self.frozen.add(ticket_id)
                    self.ledger.refuse(ticket_id)
                elif code != 422:  # a concurrent status change may make this one invalid
                    self.errors.append(f"status {ticket_id}: {code}")
                continue
            code = self.post(ticket_id, "notes", {"note": text})
            if code in (200, 302):
                self.ledger.accept_note(ticket_id, text)
            elif code == 409:
                self.frozen.add(ticket_id)
                self.ledger.refuse(ticket_id)
            else:
                self.errors.append(f"note {ticket_id}: {code}")


def writable_tickets(store: GraphData, count: int) -> list[int]:
    ids = []
    for ticket_id in store.bridge.legacy_ticket_ids(migrated="false"):
        legacy = store.bridge.get_legacy_ticket(ticket_id)
        if legacy["status"] in ("assigned", "in_progress"):
            ids.append(ticket_id)
        if len(ids) == count:
            return ids
    raise AssertionError("not enough open legacy tickets in the demo data")


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    wait_until(condition, what, timeout)


def assert_every_accepted_write_is_in_the_graph(store: GraphData, ledger: Ledger, tickets: list[int]) -> None:
    for ticket_id in tickets:
        graph = store.tickets.get(ticket_id)
        details = [e["detail"] for e in graph["history"]]
        legacy = store.bridge.get_legacy_ticket(ticket_id)
        assert graph["source_checksum"] == legacy["checksum"], f"ticket {ticket_id} differs from its legacy copy"
        missing = [text for text in ledger.accepted_notes.get(ticket_id, []) if not any(text in d for d in details)]
        assert missing == [], f"ticket {ticket_id}: {len(missing)} accepted writes missing from the graph"
        assert graph["legacy_status"] == legacy["status"]
    result = store.reconcile()
    assert result.mismatched == [] and result.missing == [] and result.ok


def run_writers(base: str, tickets: list[int], ledger: Ledger) -> list[Writer]:
    writers = [Writer(f"{via}{i}", base, tickets, ledger, via) for i, via in enumerate(
        ("screen", "screen", "bridge", "bridge"))]
    for writer in writers:
        writer.start()
    # The copy is taken while writes are flowing: every ticket has accepted writes first.
    wait_for(lambda: all(len(ledger.accepted_notes.get(t, [])) >= 3 for t in tickets), "writes to every ticket")
    return writers


def test_writers_on_screens_and_bridge_while_tickets_are_first_read_lose_nothing(seam):
    base, store = seam
    tickets = writable_tickets(store, 5)
    ledger = Ledger()
    writers = run_writers(base, tickets, ledger)
    readers = [threading.Thread(target=store.get_ticket, args=(t,)) for t in tickets for _ in range(2)]
    for reader in readers:
        reader.start()
    for thread in readers + writers:
        thread.join(120)
    assert not any(w.is_alive() for w in writers), "a writer was never refused: a ticket was never frozen"
    assert [e for w in writers for e in w.errors] == []
    assert sum(map(len, ledger.accepted_notes.values())) >= 15 and all(ledger.refused.get(t) for t in tickets)
    assert_every_accepted_write_is_in_the_graph(store, ledger, tickets)


def test_writers_while_the_backfill_takes_the_copy_lose_nothing(seam):
    base, store = seam
    tickets = writable_tickets(store, 5)
    ledger = Ledger()
    writers = run_writers(base, tickets, ledger)
    result = backfill(store.tickets.migration, batch_size=20, workers=2)
    for writer in writers:
        writer.join(120)
    assert not any(w.is_alive() for w in writers)
    assert [e for w in writers for e in w.errors] == []
    assert result.seen == store.bridge.legacy_stats()["total"]
    assert_every_accepted_write_is_in_the_graph(store, ledger, tickets)
