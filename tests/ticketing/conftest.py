from __future__ import annotations

import datetime as dt

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.ticketing.app import create_app
from fragments.ticketing.wiring import build
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.keys import KEYS_DIR, mint
from tests.support.memory_ticket_store import MemoryTicketStore
from tests.support.served_client import served

CSRF = "session-csrf-token"
NOW = dt.datetime(2026, 11, 25, 9, 0)
PRINTER, PHONE = 11, 13

PRINCIPALS = {
    "call_centre": Principal("user", "callcentre", "call_centre"),
    "admin": Principal("user", "admin", "admin"),
    "manager": Principal("user", "manager", "manager"),
    "customer": Principal("user", "customer7", "customer", customer_id=7),
    "other_customer": Principal("user", "customer8", "customer", customer_id=8),
    "expert": Principal("user", "expert1", "expert", expert_id=1),
    "expert2": Principal("user", "expert2", "expert", expert_id=2),
}


def fake_world():
    bridge = FakeBridgeClient()
    bridge.product_list = [{"id": PRINTER, "name": "Printer"}, {"id": PHONE, "name": "Phone"}]
    for cid in (7, 8):
        bridge.customers[cid] = {"id": cid, "first_name": "Ada", "last_name": f"Customer{cid}",
                                 "email": f"c{cid}@example.com", "phone": "+44 20 7946 0000",
                                 "address_line": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA",
                                 "locale": {"id": 1, "name": "Leeds"}, "notification_preference": "email"}
        bridge.contracts[cid] = [{"id": cid * 10, "status": "active", "start_date": "2026-01-01", "end_date": None,
                                  "product_ids": [PRINTER]}]
    store = MemoryTicketStore()
    store.add_expert(1, products={PRINTER}, locales={1}, weekly={"3:morning", "3:afternoon"}, score=4.0)
    store.add_expert(2, products={PRINTER}, locales={1}, weekly={"3:morning"}, score=3.0)
    return store, bridge


@pytest.fixture
def fragment():
    store, bridge = fake_world()
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(bridge), clock=lambda: NOW, offer_timeout=dt.timedelta(minutes=10))
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, ticketing=ticketing)
    served(app)
    return app, store, bridge


def headers_for(who: str, *, csrf: bool = True, audience: str = "fragment:ticketing") -> dict[str, str]:
    principal = PRINCIPALS[who]
    if csrf:
        from dataclasses import replace

        principal = replace(principal, csrf_digest=csrf_digest(CSRF))
    return {"Authorization": f"Bearer {mint(principal, audience)}", "X-CSRF-Token": CSRF,
            "X-Shell-CSRF": CSRF, "HX-Request": "true"}


def service_headers(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(Principal('service', name), 'fragment:ticketing')}"}
