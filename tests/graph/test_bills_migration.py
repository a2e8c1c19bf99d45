"""The monolith's bills and payments leave it (issue 29), over the real bridge on SQLite and PostgreSQL:
copied once with their payments by concurrent take-overs, reconciled by checksum to nothing (and a bill
changed behind the freeze found), never billed again by a run, paid here afterwards. Each test puts in
its own customer, contract, bills and payments."""
from __future__ import annotations

import datetime as dt
import itertools
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update

from fragments.customers.adapters.bills import GraphBills, reconcile_bills, take_legacy_bills
from fragments.customers.adapters.customers import GraphCustomers
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.services.billing import Billing
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Bill, Payment
from tests.support.legacy_customers import add_customers

from ..support.processes import free_port
from .conftest import own_legacy_system
from .test_cutover_rollback import sysops

_graphs = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request, falkor_server, fresh_database_url):
    url = fresh_database_url(request.param)
    with own_legacy_system(falkor_server, url, seed=47, service="customers") as (backend, bridge, _):
        yield url, backend, bridge


def add_bills(url: str) -> dict:
    """A customer of our own with September and October billed by the monolith: September paid in two
    parts, October not paid."""
    customer = add_customers(url, 1, start=dt.date(2026, 8, 1))[0]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            sept = Bill(contract_id=customer["contract_id"], period_start=dt.date(2026, 9, 1), amount_cents=2400,
                        issued_on=dt.date(2026, 9, 1), due_on=dt.date(2026, 9, 15))
            octo = Bill(contract_id=customer["contract_id"], period_start=dt.date(2026, 10, 1), amount_cents=2400,
                        issued_on=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 15))
            session.add_all([sept, octo])
            session.flush()
            session.add_all([Payment(bill_id=sept.id, paid_at=dt.datetime(2026, 9, 3, 10), amount_cents=1400, method="card"),
                             Payment(bill_id=sept.id, paid_at=dt.datetime(2026, 9, 10, 10), amount_cents=1000,
                                     method="direct_debit")])
            session.commit()
            return {**customer, "september": sept.id, "october": octo.id}
    finally:
        engine.dispose()


def test_legacy_bills_move_once_with_their_payments_reconcile_and_are_never_billed_again(legacy):
    url, backend, bridge = legacy
    mine = add_bills(url)
    GraphCustomers(backend, bridge).backfill()  # the customers and their contracts first (as at start-up)
    with ThreadPoolExecutor(3) as pool:
        copied = sum(pool.map(lambda _: take_legacy_bills(backend, bridge), range(3)))
    stats = bridge.handover_stats("bills")
    assert copied == stats["total"] and stats["migrated"] == stats["total"]
    assert take_legacy_bills(backend, bridge) == 0
    contract = mine["contract_id"]
    september = GraphBills(backend).bill(f"{contract}:2026-09")
    assert (september["amount_cents"], september["paid_cents"], september["source"]) == (2400, 2400, "legacy")
    assert sorted((p["amount_cents"], p["method"]) for p in september["payments"]) == [(1000, "direct_debit"),
                                                                                       (1400, "card")]
    found = reconcile_bills(backend, bridge)
    assert found.ok and found.matching == stats["total"]
    clock = lambda: dt.datetime(2026, 11, 5, 9, 0)  # noqa: E731
    billing = Billing(GraphBills(backend, bridge), LocalGateway(), clock)
    billing.run("2026-10")  # the monolith billed October: this contract is not billed twice
    assert len([b for b in billing.history(mine["id"]) if b["period"] == "2026-10"]) == 1
    assert [(b["period"], b["state"]) for b in billing.history(mine["id"])] == [("2026-10", "overdue"),
                                                                               ("2026-09", "paid")]
    card = billing.add_card(mine["id"], "4242424242424242", "08/28")
    assert billing.pay(mine["id"], f"{contract}:2026-10", card["id"], "pay-october", by="test")
    assert billing.history(mine["id"])[0]["state"] == "paid"


def test_a_bill_changed_behind_the_freeze_is_found_by_reconciliation(legacy):
    url, backend, bridge = legacy
    mine = add_bills(url)
    GraphCustomers(backend, bridge).backfill()
    take_legacy_bills(backend, bridge)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # by hand in the database, as no screen of the monolith could
            conn.execute(update(Bill).where(Bill.id == mine["october"]).values(amount_cents=9999))
    finally:
        engine.dispose()
    found = reconcile_bills(backend, bridge)
    assert not found.ok and found.mismatched == [mine["october"]]


def test_a_billing_run_killed_between_batches_is_resumed_by_the_next_and_bills_each_contract_once(
        falkor_server, fresh_database_url):
    """`sysops billing-run` killed (SIGKILL) just after its first batch of bills was written: the month's run
    stays "running", the next run says it resumes, bills only what the first did not, and a third bills
    nothing; every contract in force holds one bill for the month."""
    url = fresh_database_url("sqlite")
    with own_legacy_system(falkor_server, url, seed=48, service="customers") as (backend, bridge, base):
        ours = {c["contract_id"] for c in add_customers(url, 12, start=dt.date(2026, 1, 1))}  # in force all month
        GraphCustomers(backend, bridge).backfill()
        month = "2026-11"

        def cli(*args: str, crash_at: str | None = None):
            return sysops(base, falkor_server.socket_path, backend.graph_name, "billing-run", "--month", month,
                          "--page", "5", *args, crash_at=crash_at)

        def bills(source: str = "new") -> list[int]:  # "new": billed here (the monolith billed some contracts)
            return [row["contract"] for row in backend.read(
                "MATCH (b:Bill {period: $month}) WHERE $source = '' OR b.source = $source "
                "RETURN b.contract_id AS contract", {"month": month, "source": source})]

        killed = cli(crash_at="billing-after-bills")
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        first = bills()
        assert 0 < len(first) <= 5
        assert GraphBills(backend).run(month)["state"] == "running"
        resumed = cli()
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        total = len(bills())
        assert "resumed" in resumed.stdout and f"{total - len(first)} billed now" in resumed.stdout, resumed.stdout
        everyone = bills("")
        assert total > len(first) and ours <= set(bills()) and len(everyone) == len(set(everyone))
        assert GraphBills(backend).run(month)["state"] == "done"
        again = cli()
        assert again.returncode == 0 and "0 billed now" in again.stdout and len(bills()) == total


def test_a_take_over_the_monolith_does_not_answer_stops_with_a_line_saying_so(falkor_server):
    """An operator's command whose legacy system does not answer says so in one line (exit 3), no traceback."""
    stopped = sysops(f"http://127.0.0.1:{free_port()}", falkor_server.socket_path, "bills-nobody", "cutover", "billing")
    assert stopped.returncode == 3, stopped.stdout + stopped.stderr
    assert "sysops cutover: stopped, a store did not answer in time" in stopped.stderr
    assert "run the command again" in stopped.stderr and "Traceback" not in stopped.stderr
