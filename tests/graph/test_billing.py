"""Billing (issue 29) in the customers service, over the graph on both backends: the monthly run bills
once however often it runs or is resumed, a hand-worked month of bills and payments is what the
financial report says, a price changed mid-month is charged by the day, and what cannot be taken (a
month not ended, a payment on a cancelled or paid bill, a bad card) is refused and changes nothing.
Each test writes its own plans, customers and contracts."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from fragments.customers.adapters.bills import GraphBills
from fragments.customers.adapters.payment_gateway import LocalGateway
from fragments.customers.domain.billing import InvalidBilling, Month, charge
from fragments.customers.services.billing import Billing
from fragments.customers.services.ports import PaymentDeclined
from tests.support.clock import Clock

BASIC, PREMIUM = 71, 72  # plans: £10.00 and £31.00 a month
VISA = "4242 4242 4242 4242"


def put(backend, plans: dict[int, tuple[str, int]], contracts: list[dict]) -> None:
    backend.write("UNWIND $plans AS p CREATE (:Plan {id: p.id, name: p.name, monthly_price_cents: p.cents, source: 'new'})",
                  {"plans": [{"id": i, "name": n, "cents": c} for i, (n, c) in plans.items()]})
    backend.write("UNWIND $cs AS k MERGE (c:Customer {id: k.customer_id}) "
                  "CREATE (c)-[:HOLDS]->(:Contract {id: k.id, customer_id: k.customer_id, plan_id: k.plan_id, "
                  "start_date: k.start_date, end_date: k.end_date, status: k.status})", {"cs": contracts})


def contract(cid: int, customer: int, plan: int, start: str, end: str | None = None, status: str = "active") -> dict:
    return {"id": cid, "customer_id": customer, "plan_id": plan, "start_date": start, "end_date": end, "status": status}


@pytest.fixture
def world(graph_backend):
    put(graph_backend, {BASIC: ("Basic", 1000), PREMIUM: ("Premium", 3100)}, [
        contract(501, 91, BASIC, "2026-01-01"),                      # the whole of November
        contract(502, 92, PREMIUM, "2026-11-16"),                    # from the 16th: 15 of 30 days
        contract(503, 93, BASIC, "2025-01-01", "2026-11-10", "expired"),  # until the 10th: 10 days
        contract(504, 94, BASIC, "2026-12-01"),                      # not yet in force in November
        contract(505, 95, PREMIUM, "2025-06-01", None, "cancelled"),  # cancelled, no end day: not billed
    ])
    clock = Clock(dt.datetime(2026, 12, 3, 9, 0))
    gateway = LocalGateway()
    return Billing(GraphBills(graph_backend), gateway, clock), clock, gateway, graph_backend


def test_a_run_bills_each_contract_in_force_once_by_the_day_and_again_bills_nothing(world):
    billing, _, _, backend = world
    first = billing.run("2026-11", page=2)  # small pages: several batches
    assert (first.billed, first.total, first.resumed) == (3, 3, False)
    amounts = {row["contract_id"]: row["amount_cents"] for row in backend.read(
        "MATCH (b:Bill {period: '2026-11'}) RETURN b.contract_id AS contract_id, b.amount_cents AS amount_cents")}
    assert amounts == {501: 1000, 502: 1550, 503: 333}  # 31.00 x 15/30; 10.00 x 10/30
    again = billing.run("2026-11")
    assert (again.billed, again.total) == (0, 3)
    bill = billing.bills.bill("501:2026-11")
    assert (bill["issued_on"], bill["due_on"], bill["customer_id"]) == ("2026-12-03", "2026-12-17", 91)


def test_a_run_that_stopped_part_way_is_resumed_by_running_it_again(world):
    billing, clock, _, _ = world
    real_add = billing.bills.add_bills
    calls = []

    def crash_after_first_batch(bills):
        calls.append(len(bills))
        created = real_add(bills)
        if len(calls) == 1:
            raise RuntimeError("the machine lost power")
        return created

    billing.bills.add_bills = crash_after_first_batch
    with pytest.raises(RuntimeError):
        billing.run("2026-11", page=2)
    billing.bills.add_bills = real_add
    assert billing.bills.run("2026-11")["state"] == "running"
    resumed = billing.run("2026-11", page=2)
    assert resumed.resumed and resumed.total == 3 and resumed.billed == 3 - calls[0]
    assert billing.bills.run("2026-11")["state"] == "done"


def test_a_month_not_ended_is_refused_and_bills_nothing(world):
    billing, _, _, backend = world
    for month in ("2026-12", "2027-01"):
        with pytest.raises(InvalidBilling) as refused:
            billing.run(month)
        assert "has not ended yet" in refused.value.errors["month"]
    with pytest.raises(InvalidBilling):
        billing.run("November")
    assert backend.read("MATCH (b:Bill) RETURN count(b) AS n")[0]["n"] == 0


def test_a_price_changed_mid_contract_is_charged_from_its_day(world):
    billing, clock, _, _ = world
    clock.now = dt.datetime(2026, 11, 21, 12, 0)  # an admin raises Basic to £13.00 on the 21st
    billing.price_changed(BASIC, 1000, 1300)
    clock.now = dt.datetime(2026, 12, 2, 9, 0)
    billing.run("2026-11")
    # 20 days at 10.00/30 and 10 days at 13.00/30 = 6.6667 + 4.3333 = 11.00
    assert billing.bills.bill("501:2026-11")["amount_cents"] == 1100
    assert billing.bills.bill("503:2026-11")["amount_cents"] == 333  # it ended before the change
    billing.run("2026-10")
    assert billing.bills.bill("501:2026-10")["amount_cents"] == 1000  # the month before: the old price
    assert charge(contract(9, 9, BASIC, "2026-12-01"), Month.parse("2026-12"),
                  billing.bills.prices()[BASIC]) == 1300


def test_a_hand_worked_month_of_bills_and_payments_is_what_the_report_says(world):
    billing, clock, _, backend = world
    billing.run("2026-10")  # October: 501 (10.00) and 503 (10.00); 505 cancelled without end: nothing
    clock.now = dt.datetime(2026, 12, 3, 9, 0)
    billing.run("2026-11")  # November: 501 10.00, 502 15.50, 503 3.33
    card = billing.add_card(91, VISA, "08/28")
    assert billing.pay(91, "501:2026-10", card["id"], "pay-oct-501", by="customer91")
    assert billing.pay(91, "501:2026-11", card["id"], "pay-nov-501", by="customer91")
    card92 = billing.add_card(92, "5555 5555 5555 4444", "01/27")
    assert billing.pay(92, "502:2026-11", card92["id"], "pay-nov-502", by="customer92")
    # On 20 December: the October bills were due 17 December... (issued 3 Dec); 503's are not paid.
    clock.now = dt.datetime(2026, 12, 20, 9, 0)
    report = billing.report("2026-11", "2026-11", {BASIC: "Basic", PREMIUM: "Premium"})
    lines = {(line.month, line.plan_id): line for line in report.lines}
    assert (lines[("2026-11", BASIC)].billed, lines[("2026-11", BASIC)].paid, lines[("2026-11", BASIC)].overdue) == (
        1333, 1000, 333)
    assert (lines[("2026-11", PREMIUM)].billed, lines[("2026-11", PREMIUM)].paid,
            lines[("2026-11", PREMIUM)].overdue) == (1550, 1550, 0)
    before = {(line.month, line.plan_id): line for line in report.before_lines}
    assert report.before == ["2026-10"]
    assert (before[("2026-10", BASIC)].billed, before[("2026-10", BASIC)].paid,
            before[("2026-10", BASIC)].overdue) == (2000, 1000, 1000)
    assert report.totals(report.lines) == {"billed": 2883, "paid": 2550, "overdue": 333, "bills": 3}
    rows = list(csv.DictReader(io.StringIO(report.csv())))
    assert {(r["period"], r["month"], r["plan"], r["billed_gbp"], r["paid_gbp"], r["overdue_gbp"]) for r in rows} == {
        ("this", "2026-11", "Basic", "13.33", "10.00", "3.33"), ("this", "2026-11", "Premium", "15.50", "15.50", "0.00"),
        ("before", "2026-10", "Basic", "20.00", "10.00", "10.00")}
    history = billing.history(91)
    assert [(b["period"], b["state"], len(b["payments"])) for b in history] == [("2026-11", "paid", 1),
                                                                                ("2026-10", "paid", 1)]
    assert backend.read("MATCH (m:PaymentMethod {customer_id: 91}) RETURN m.last4 AS last4, m.token AS token, "
                        "keys(m) AS keys")[0]["last4"] == "4242"
    stored = backend.read("MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS '4242424242424242') "
                          "RETURN count(n) AS n")
    assert stored[0]["n"] == 0  # the card number is in no node


def test_payments_are_taken_once_and_what_cannot_be_paid_is_refused(world):
    billing, clock, gateway, backend = world
    billing.run("2026-11")
    card = billing.add_card(91, VISA, "08/28")
    assert billing.pay(91, "501:2026-11", card["id"], "form-key-1", by="customer91")
    assert not billing.pay(91, "501:2026-11", card["id"], "form-key-1", by="customer91")  # the same form again
    with pytest.raises(InvalidBilling) as paid:
        billing.pay(91, "501:2026-11", card["id"], "form-key-2", by="customer91")
    assert "paid already" in paid.value.errors["bill"]
    billing.cancel("503:2026-11", by="manager")
    card93 = billing.add_card(93, VISA, "08/28")
    with pytest.raises(InvalidBilling) as cancelled:
        billing.pay(93, "503:2026-11", card93["id"], "form-key-3", by="customer93")
    assert "cancelled" in cancelled.value.errors["bill"]
    with pytest.raises(InvalidBilling):
        billing.cancel("501:2026-11", by="manager")  # paid on: stays
    with pytest.raises(InvalidBilling) as not_theirs:
        billing.pay(92, "502:2026-11", card["id"], "form-key-4", by="customer92")  # customer 91's card
    assert "choose one of your cards" in not_theirs.value.errors["method"]
    assert [p["amount_cents"] for p in billing.bills.bill("501:2026-11")["payments"]] == [1000]
    assert billing.bills.bill("502:2026-11")["payments"] == [] and gateway.refunded == []


def test_a_payment_that_lost_a_race_is_given_back(world):
    billing, _, gateway, _ = world
    billing.run("2026-11")
    card = billing.add_card(92, VISA, "08/28")
    # Another payment lands between this one's check and its write: the bill is paid when it is recorded.
    billing.bills.add_payment("502:2026-11", {"key": "elsewhere", "amount_cents": 1550, "paid_at": "2026-12-03T09:00:00",
                                               "method": "direct debit", "gateway_ref": "dd-1", "by": "bank",
                                               "source": "new"})
    real_bill = billing.bills.bill
    billing.bills.bill = lambda key: {**real_bill(key), "paid_cents": 0}  # as it was read before that payment
    with pytest.raises(InvalidBilling) as late:
        billing.pay(92, "502:2026-11", card["id"], "form-key-9", by="customer92")
    assert "nothing was taken" in late.value.errors["bill"] and len(gateway.refunded) == 1


@pytest.mark.parametrize("number, expiry, field", [
    ("4242 4242 4242 4241", "08/28", "number"),  # fails the Luhn check
    ("42", "08/28", "number"),
    ("4242 4242 4242 4242", "13/28", "expiry"),
    ("4242 4242 4242 4242", "10/26", "expiry"),  # expired
    ("4242 4242 4242 4242", "", "expiry"),
])
def test_a_card_that_cannot_be_taken_is_refused_and_nothing_is_kept(world, number, expiry, field):
    billing, _, _, backend = world
    with pytest.raises(InvalidBilling) as refused:
        billing.add_card(91, number, expiry)
    assert field in refused.value.errors
    with pytest.raises(PaymentDeclined):
        billing.add_card(91, "4000 0000 0000 0002", "08/28")  # the issuer declines it
    assert backend.read("MATCH (m:PaymentMethod) RETURN count(m) AS n")[0]["n"] == 0


def test_with_the_monolith_retired_a_run_bills_and_a_legacy_template_is_simply_not_there(graph_backend):
    from bridge_client.retired import RetiredMonolith
    from fragments.ticketing.adapters.surveys import GraphSurveys

    put(graph_backend, {BASIC: ("Basic", 1000)}, [contract(601, 96, BASIC, "2026-01-01")])
    billing = Billing(GraphBills(graph_backend, RetiredMonolith()), LocalGateway(),
                      Clock(dt.datetime(2026, 12, 3, 9, 0)))
    assert billing.run("2026-11").billed == 1  # nothing to copy first: no call leaves the process
    assert GraphSurveys(graph_backend, RetiredMonolith()).version("legacy-1", 1) is None
