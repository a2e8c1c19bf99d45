from __future__ import annotations

import re

import pytest
import requests

from sysops.local_system import System


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("system"), offer_timeout_s=3).start()
    yield running
    running.stop()


class StaffBrowser:
    """A logged-in legacy session driven over HTTP, as htmx would (HX-Request + CSRF header)."""

    def __init__(self, base: str, username: str = "callcentre", password: str = "sysops-demo"):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.http.post(f"{base}/login", data={"username": username, "password": password,
                                                          "csrf_token": token}, timeout=10)
        assert response.status_code == 200 and "/login" not in response.url
        page = self.http.get(f"{base}/", timeout=10).text
        self.csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)

    def fragment(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{self.base}/fragments/ticketing{path}", headers={"HX-Request": "true"}, timeout=15,
                             **kwargs)

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


def ticket_id_of(response: requests.Response) -> int:
    return int(re.search(r"Ticket N-(\d+) received", response.text).group(1))
