"""The raise path never waits on the monolith (ADR 0025): with its data side (the bridge process) frozen
by SIGSTOP for 60 s (it accepts connections and never answers), staff and a customer raise tickets, an
expert is offered them and accepts, every person's page answers, an uncovered product is still refused;
after the thaw nothing acknowledged is missing. The screens and sign-in stay up (iteration 5 takes those
out); this test's own data: its customers and accounts, covered for a product of the test's own, and
an expert it takes on, the only one who serves that product."""
from __future__ import annotations

import os
import re
import signal
import time

import pytest

from fragments.customers.published.customers_v1 import CustomerRows
from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.legacy_customers import add_customers

from .conftest import ExpertBrowser, StaffBrowser, offered_expert, settled, ticket_id_of
from .crew import product_and_plan
from .journeys import admin_signed_in, expert_with_account, not_starting_soon, page_seen

FREEZE_S = 60.0


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    from tests.support.local_system import System

    running = System(tmp_path_factory.mktemp("freeze"), offer_timeout_s=600).start()
    yield running
    running.stop()


def _uncovered(system, customer_id: int, covered: list[str]) -> int:
    with system.graph_store() as store:
        products = [p["id"] for p in CustomerRows(store.backend).products()]
    return next(p for p in products if str(p) not in covered)


def test_sixty_seconds_of_a_frozen_monolith_stop_no_raise_no_offer_no_acceptance(system):
    # A product and plan of the test's own (an admin adds them at the customers service, which owns the
    # catalogue here), a customer on that plan, and the only expert who serves the product.
    url = system.env["DATABASE_URL"]
    admin = admin_signed_in(system)
    product, plan_id = product_and_plan(system, admin)
    customer_id = add_customers(url, 1, product_ids=[product], plan_id=plan_id)[0]["id"]
    expert_id, expert_username = expert_with_account(system, admin, product)
    staff = StaffBrowser(system.shell, legacy_account(url, role="call_centre").username, PASSWORD)
    customer = StaffBrowser(system.shell, legacy_account(url, role="customer", customer_id=customer_id).username,
                            PASSWORD)
    covered, offered = staff.raise_form(customer_id)
    assert str(product) in covered, covered
    slots = not_starting_soon(offered)  # none starts while the test raises for it, whatever the hour
    uncovered = _uncovered(system, customer_id, covered)
    expert = ExpertBrowser(system.shell, expert_username, PASSWORD)

    frozen = system.processes["bridge"].pid
    os.killpg(frozen, signal.SIGSTOP)
    started = time.monotonic()
    acknowledged: list[int] = []
    try:
        for index, raiser in enumerate((staff, customer, staff)):
            answer = raiser.raise_ticket(customer_id, str(product), [slots[2 + index]])
            assert answer.status_code == 201, answer.text
            ticket_id = ticket_id_of(answer)
            acknowledged.append(ticket_id)
            try:
                assert offered_expert(system, ticket_id, timeout=20) == expert_id
            except AssertionError:
                with system.graph_store() as store:
                    raise AssertionError(store.tickets.record(ticket_id)) from None
            accepted = expert.act(f"/offers/{ticket_id}/accept")
            assert accepted.status_code == 200, accepted.text
            assert settled(system, ticket_id, 20, lambda t: t["status"] if t["status"] == "assigned" else None)
        refused = staff.raise_ticket(customer_id, str(uncovered), [slots[5]])
        assert refused.status_code == 422 and "do not cover" in refused.text
        assert f'value="{uncovered}"' not in customer.fragment(f"/customers/{customer_id}/tickets/new").text
        for browser, page in ((staff, f"/customers/{customer_id}"), (customer, "/my"), (expert, "/")):
            # As a person sees it: a slot that missed the first paint's budget on a busy machine is loaded
            # after the page, as htmx does (its loader carries the fallback's words for later, unshown).
            seen, why = page_seen(browser, browser.http.get(f"{system.shell}{page}", timeout=15))
            assert seen, f"{page}: {why}"
        mine = customer.http.get(f"{system.shell}/fragments/customers/customers/{customer_id}",
                                 headers={"HX-Request": "true"}, timeout=15)
        assert mine.status_code == 200 and "Your support plans" in mine.text
        assert time.monotonic() - started < FREEZE_S, "the journeys must run while the monolith is frozen"
        while time.monotonic() - started < FREEZE_S:  # the freeze lasts its whole minute
            time.sleep(0.5)
    finally:
        os.killpg(frozen, signal.SIGCONT)
    with system.graph_store() as store:
        for ticket_id in acknowledged:
            ticket = store.tickets.get(ticket_id)
            assert ticket.status == "assigned" and ticket.customer_id == customer_id
    panel = staff.fragment(f"/customers/{customer_id}/tickets").text
    assert all(re.search(rf"N-{t}\b", panel) for t in acknowledged)
