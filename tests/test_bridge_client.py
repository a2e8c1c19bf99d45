"""The bridge client over real HTTP against the monolith served by gunicorn, and its failure handling."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bridge_client import (
    BridgeClient,
    Forbidden,
    HttpBridgeClient,
    NotFound,
    Unauthorized,
    Unavailable,
)
from foundation.tokens import Principal
from tests.support.fake_bridge import FakeBridgeClient

from .support.keys import forge, mint
from .support.processes import free_port, seeded_monolith

SECRET = "client-test-secret"


@pytest.fixture(scope="module")
def live_monolith(tmp_path_factory):
    with seeded_monolith(tmp_path_factory.mktemp("live"), SECRET, seed=9) as base:
        yield base


def client_as(base: str, principal: Principal, **kwargs) -> HttpBridgeClient:
    return HttpBridgeClient(base, lambda: mint(principal, "bridge"), **kwargs)


SERVICE = Principal("service", "ticketing")


def test_reads_customers_coverage_catalog_and_experts_over_http(live_monolith):
    bridge = client_as(live_monolith, SERVICE)
    customer = bridge.get_customer(1)
    contract = next(c for c in bridge.customer_contracts(1))
    covered = bridge.coverage(1, contract["product_ids"][0])
    assert customer["id"] == 1 and contract["customer_id"] == 1
    assert covered["covered"] == (contract["status"] == "active")
    assert len(bridge.products()) > 10 and len(bridge.locales()) == 16
    experts = list(bridge.experts())
    assert [e["id"] for e in experts] == sorted(e["id"] for e in experts) and len(experts) == 3
    bridge.close()


def test_follows_cursors_across_pages(live_monolith):
    bridge = client_as(live_monolith, Principal("service", "backfill"))
    ids = list(bridge.legacy_ticket_ids(page_size=40))
    assert ids == list(range(1, 251))  # the tiny preset's 250 tickets, over 7 pages
    ticket = bridge.get_legacy_ticket(ids[0])
    assert len(ticket["checksum"]) == 64


def test_errors_become_typed_exceptions(live_monolith):
    with pytest.raises(NotFound):
        client_as(live_monolith, SERVICE).get_customer(99999)
    with pytest.raises(Forbidden):
        client_as(live_monolith, Principal("user", "customer1", "customer", customer_id=1)).get_customer(2)
    with pytest.raises(Unauthorized):
        HttpBridgeClient(live_monolith, lambda: forge(issuer="ticketing", signing_key=Ed25519PrivateKey.generate())).products()


def test_notify_is_idempotent_across_calls(live_monolith):
    bridge = client_as(live_monolith, SERVICE)
    args = dict(idempotency_key="client-key-0001", channel="sms", recipient_kind="expert", recipient_id=1,
                subject="Offer", body="You have a new offer")
    assert bridge.notify(**args)["id"] == bridge.notify(**args)["id"]


class _Counting(BaseHTTPRequestHandler):
    calls = 0
    delay = 0.0

    def _answer(self):
        type(self).calls += 1
        time.sleep(self.delay)
        body = b'{"type":"x","title":"Service Unavailable","status":503,"detail":"down for maintenance"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_server():
    handler = type("Handler", (_Counting,), {"calls": 0, "delay": 0.0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_idempotent_calls_are_retried_and_others_are_not(failing_server):
    base, handler = failing_server
    bridge = client_as(base, SERVICE, retries=2, backoff=0.01)
    with pytest.raises(Unavailable, match="down for maintenance"):
        bridge.products()
    assert handler.calls == 3
    handler.calls = 0
    with pytest.raises(Unavailable):
        bridge.raise_staff_alert("unassigned", "no expert")
    assert handler.calls == 1


def test_read_timeout_and_refused_connection_surface_as_unavailable(failing_server):
    base, handler = failing_server
    handler.delay = 1.0
    started = time.monotonic()
    with pytest.raises(Unavailable):
        client_as(base, SERVICE, read_timeout=0.2, retries=1, backoff=0.01).products()
    assert time.monotonic() - started < 2.0
    with pytest.raises(Unavailable):
        client_as(f"http://127.0.0.1:{free_port()}", SERVICE, retries=1, backoff=0.01).products()


def test_after_a_time_out_calls_fail_at_once_until_the_bridge_answers_its_health_again(failing_server):
    """No caller waits a time-out while the bridge is frozen: one did, the others are refused at once, and
    a background probe of /healthz (not anyone's request) finds it answering again."""
    base, handler = failing_server
    handler.delay = 1.0
    bridge = client_as(base, SERVICE, read_timeout=0.2, retries=0)
    with pytest.raises(Unavailable, match="not answering"):
        bridge.products()
    assert bridge.quiet()
    handler.delay = 0.0
    calls = handler.calls
    started = time.monotonic()
    with pytest.raises(Unavailable, match="not asked"):
        bridge.products()
    assert time.monotonic() - started < 0.1
    deadline = time.monotonic() + 10
    while bridge.quiet() and time.monotonic() < deadline:  # the probe's /healthz answered (503: it answers)
        time.sleep(0.05)
    assert not bridge.quiet() and handler.calls > calls
    with pytest.raises(Unavailable, match="down for maintenance"):  # asked again: its own answer
        bridge.products()


def test_the_fake_implements_the_whole_interface_with_the_same_errors():
    interface = {name for name in dir(BridgeClient) if not name.startswith("_")}
    assert interface <= set(dir(HttpBridgeClient)) and interface <= set(dir(FakeBridgeClient))
    fake = FakeBridgeClient()
    with pytest.raises(NotFound):
        fake.get_customer(1)
    first = fake.notify(idempotency_key="k" * 8, channel="email", recipient_kind="customer", recipient_id=1,
                        subject="s", body="b")
    assert fake.notify(idempotency_key="k" * 8, channel="email", recipient_kind="customer", recipient_id=1,
                       subject="s", body="b") == first
    fake.unavailable = True
    with pytest.raises(Unavailable):
        fake.products()


def test_long_batch_reads_fit_the_servers_request_line(live_monolith):
    # 500 ids near the id range's top would make a 4.5 KiB URL in one request; gunicorn refuses those (414).
    bridge = client_as(live_monolith, Principal("service", "backfill"))
    wanted = list(range(1, 251)) + list(range(2**31 - 250, 2**31))
    items = bridge.get_legacy_tickets(wanted)
    assert [t["id"] for t in items] == list(range(1, 251))
