"""A customer asks to be forgotten (issue 29): `sysops forget-customer` reaches every store that holds
them. Over a real monolith and FalkorDB, with a customer of the test's own whose name, email and phone
are written into every service's records: afterwards no node of the graph and no row of theirs in the
monolith's database says any of it; once the monolith is archived, the request is kept beside the
archive and applied to a database restored from it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

from sqlalchemy import select, text

from foundation.config import load_settings
from fragments.customers.adapters.customers import GraphCustomers
from graph_store import retirement
from shell_app import archive
from shell_app.db import make_engine, make_session_factory
from shell_app.demo_data.checksum import content_checksum
from shell_app.models import Customer, Notification, UserAccount
from sysops.decommission import decommission
from sysops.erasure import forget_customer
from tests.graph.identity_support import legacy_account
from tests.support.legacy_customers import add_customers

from .conftest import own_legacy_system

TOKEN = "erasure-test-metrics-token"
NOW = dt.datetime(2026, 12, 5, 13, 30)


def personal(url: str) -> dict:
    customer = add_customers(url, 1)[0]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            row = session.get(Customer, customer["id"])
            said = {"name": row.last_name, "email": row.email, "phone": row.phone, "street": row.address_line}
            session.add(Notification(idempotency_key=f"erasure-{row.id}", requested_by="test", channel="email",
                                     recipient_kind="customer", recipient_id=row.id, address=row.email,
                                     subject=f"Hello {row.first_name} {row.last_name}", body=f"Dear {row.last_name}",
                                     status="sent", attempts=1, created_at=NOW, next_attempt_at=NOW))
            session.commit()
    finally:
        engine.dispose()
    account = legacy_account(url, role="customer", customer_id=customer["id"])
    return {**customer, **said, "username": account.username}


def write_everywhere(backend, who: dict) -> None:
    """What each service would hold of them, in their words."""
    about = f"{who['name']} at {who['street']}, {who['phone']}"
    backend.write("CREATE (t:Ticket {id: 990000 + $id, customer_id: $id, description: $about, resolution: $about})"
                  "-[:HAS_EVENT]->(:Event {key: 'erasure:1', action: 'note', detail: $email}) "
                  "CREATE (:Survey {ticket_id: 990000 + $id, customer_id: $id, comment: $about, answers: $answers}) "
                  "CREATE (:Recipient {key: 'customer:' + toString($id), name: $name, email: $email, phone: $phone}) "
                  "CREATE (:Message {id: 990000 + $id, recipient_kind: 'customer', recipient_id: $id, subject: $about, "
                  "body: $about, address: $email}) "
                  "CREATE (:Account {id: 990000 + $id, customer_id: $id, username: $username, display_name: $name, "
                  "password_hash: 'h', active: true, source: 'legacy'}) "
                  "CREATE (:PaymentMethod {id: 'erasure-card', customer_id: $id, token: 'tok_1', last4: '4242'})",
                  {"id": who["id"], "about": about, "email": who["email"], "phone": who["phone"], "name": who["name"],
                   "username": who["username"], "answers": f'[{{"position": 2, "text": "{about}"}}]'})


def said_anywhere(backend, who: dict) -> list[str]:
    found = []
    for row in backend.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p"):
        for value in row["p"].values():
            if isinstance(value, str) and any(who[k] in value for k in ("name", "email", "phone", "username")):
                found.append(f"{row['labels']}: {value}")
    return found


def test_forgotten_in_every_store_and_kept_beside_the_archive_for_any_restore(falkor_server, fresh_database_url,
                                                                          tmp_path):
    url = fresh_database_url("sqlite")
    with own_legacy_system(falkor_server, url, seed=71, service="backfill", workers=1,
                           env={"SYSOPS_METRICS_TOKEN": TOKEN}) as (backend, bridge, base):
        settings = dataclasses.replace(load_settings(), database_url=url, metrics_token=TOKEN)
        who = personal(url)
        GraphCustomers(backend, bridge).get(who["id"])  # the customers service holds them
        write_everywhere(backend, who)
        assert said_anywhere(backend, who)
        done = forget_customer(settings, backend, who["id"], by="the DPO", reason="asked by email", now=NOW)
        assert done["customers"] == {"customer": 1, "cards": 1} and done["identity"]["accounts"] == 1
        assert said_anywhere(backend, who) == []
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            row = session.get(Customer, who["id"])
            assert (row.first_name, row.email, row.phone, row.last_name) == ("Erased", "", "", f"customer {who['id']}")
            assert session.scalar(select(UserAccount.username).where(UserAccount.customer_id == who["id"])).startswith(
                "erased-")
            assert session.scalar(select(Notification.body).where(Notification.recipient_id == who["id"],
                                                                  Notification.recipient_kind == "customer")) \
                .startswith("[erased")
        engine.dispose()
        request = backend.read("MATCH (e:Erasure {customer_id: $id}) RETURN properties(e) AS e", {"id": who["id"]})
        assert request[0]["e"] == {"customer_id": who["id"], "at": "2026-12-05T13:30:00", "by": "the DPO",
                                   "reason": "asked by email"}

        # Archived: the next request is kept beside the archive and applied to what is restored from it.
        later = personal(url)
        engine = make_engine(url)
        retirement.retire(backend, "2026-12-05T14:00:00", {"legacy_checksum": content_checksum(engine)})
        engine.dispose()
        assert decommission(settings, backend, base, tmp_path / "archive", quiet_s=0, sleep=lambda s: None)[0]
        done = forget_customer(settings, backend, later["id"], by="the DPO", reason="asked by phone", now=NOW)
        assert "erasures.jsonl" in done["archive"] and "monolith" not in done
        assert [e["customer_id"] for e in archive.erasures(tmp_path / "archive")] == [later["id"]]
        assert archive.verify(tmp_path / "archive")[0]  # the dump itself is as it was signed
        restored = tmp_path / "restored.db"
        with sqlite3.connect(restored) as conn:
            conn.executescript((tmp_path / "archive" / "legacy.sql").read_text(encoding="utf-8"))
        restored_url = f"sqlite:///{restored}"
        archive.read_write(restored_url)  # a restore to work with: its copy of the read-only guards dropped
        assert archive.apply_erasures(restored_url, tmp_path / "archive") == 1
        engine = make_engine(restored_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM customers WHERE id = :id"), {"id": later["id"]}).scalar_one() == ""
        engine.dispose()
