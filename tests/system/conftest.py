from __future__ import annotations

import re
import time

import pytest
import requests

from foundation.tokens import Principal
from tests.support.keys import mint
from tests.support.local_system import System


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("system"), offer_timeout_s=3).start()
    yield running
    running.stop()


class StaffBrowser:
    """A logged-in legacy session driven over HTTP, as htmx would (HX-Request + CSRF header)."""

    def __init__(self, base: str, username: str = "callcentre", password: str = "sysops-demo"):
        self.base, self.username = base, username
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.http.post(f"{base}/login", data={"username": username, "password": password,
                                                          "csrf_token": token}, timeout=10)
        assert response.status_code == 200 and "/login" not in response.url
        page = self.http.get(f"{base}/", timeout=10).text
        self.csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)

    def fragment(self, path: str, headers: dict | None = None, **kwargs) -> requests.Response:
        return self.http.get(f"{self.base}/fragments/ticketing{path}", headers={"HX-Request": "true", **(headers or {})},
                             timeout=15, **kwargs)

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(f"{self.base}/fragments/ticketing{path}", data=data, timeout=40,
                              headers={"HX-Request": "true", "X-CSRF-Token": self.csrf})

    def raise_form(self, customer_id: int) -> tuple[list[str], list[str]]:
        form = self.fragment(f"/customers/{customer_id}/tickets/new").text
        return (re.findall(r'<option value="(\d+)"', form),
                re.findall(r'<option value="(\d{4}-\d\d-\d\d \w+)"', form))

    def raise_ticket(self, customer_id: int, product: str, slots: list[str]) -> requests.Response:
        return self.post(f"/customers/{customer_id}/tickets",
                         {"product_id": product, "description": "It stopped working this morning", "slots": slots})


class ExpertBrowser(StaffBrowser):
    def page(self, path: str = "/"):
        return self.http.get(f"{self.base}/fragments/experts{path}", headers={"HX-Request": "true"}, timeout=20)

    def act(self, path: str, data: dict | None = None):
        return self.http.post(f"{self.base}/fragments/experts{path}", data=data or {}, timeout=20,
                              headers={"HX-Request": "true", "X-CSRF-Token": self.csrf})


def ticket_id_of(response: requests.Response) -> int:
    return int(re.search(r"Ticket N-(\d+) received", response.text).group(1))


ALL_HALF_DAYS = [f"{d}:{p}" for d in range(7) for p in ("morning", "afternoon", "evening")]


def _bridge(system, path: str, method: str = "GET", **kwargs):
    token = mint(Principal("service", "experts"), "bridge")
    return requests.request(method, f"{system.bridge}/bridge/v1{path}", timeout=10,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)


def offered_expert(system, ticket_id: int, timeout: float = 30.0) -> int:
    """The expert the ticket is offered to, once it is: "received" is answered when the ticket is stored,
    and the worker makes the offer at its next poll (fragments/ticketing/services/follow_ups.py)."""
    return settled(system, ticket_id, timeout, lambda t: next(
        (a["expert_id"] for a in t["allocations"] if a["state"] == "offered"), None))


def settled(system, ticket_id: int, timeout: float, value):
    """`value(ticket)` once it is not None, read again until then (the raise's follow-up runs after its answer)."""
    deadline = time.monotonic() + timeout
    with system.graph_store() as store:
        while True:
            found = value(store.tickets.get(ticket_id))
            if found is not None:
                return found
            assert time.monotonic() < deadline, f"ticket {ticket_id} did not settle in {timeout} s"
            time.sleep(0.05)
