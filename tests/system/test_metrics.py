"""What operators watch, scraped from the real processes while a ticket goes through (foundation/
observability.py): the request counters, the gauges that say tickets are at risk moving with it, the
scrape refused without the metrics token, and one request id from the shell through the fragment to
the bridge's access log."""
from __future__ import annotations

import time

import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from shell_app.db import make_engine
from shell_app.models import LegacyTicket
from tests.support.local_system import METRICS_TOKEN

from .conftest import StaffBrowser
from .crew import Crew, raise_for, two_experts


def scrape(base: str) -> dict[tuple[str, tuple], float]:
    answer = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=20)
    assert answer.status_code == 200, answer.text[:300]
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text) for sample in family.samples}


def gauge(figures, name: str, service: str) -> float:
    return figures[(name, (("service", service),))]


def requests_of(figures, service: str, route: str, method: str, status: str) -> float:
    return figures.get(("sysops_http_requests_total", tuple(sorted(
        {"service": service, "route": route, "method": method, "status": status}.items()))), 0.0)


def test_every_service_refuses_a_scrape_without_the_metrics_token(system):
    for base in (system.shell, system.bridge, system.ticketing, system.experts, system.reports):
        assert requests.get(f"{base}/metrics", timeout=10).status_code == 401, base
        wrong = requests.get(f"{base}/metrics", headers={"Authorization": "Bearer guessed"}, timeout=10)
        assert wrong.status_code == 401, base
        assert "sysops_http_requests_total" in requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10).text


def _in_the_queue_after_both_offers(system, crew: Crew, ticket_id: int) -> bool:
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
    return ticket["status"] == "unassigned" and sorted(
        (a["expert_id"], a["state"]) for a in ticket["allocations"]) == [(x, "timed_out") for x in sorted(crew.expert_ids)]


def test_the_gauges_move_as_tickets_are_raised_time_out_and_migrate(system):
    crew = two_experts(system)
    ticketing, shell = scrape(system.ticketing), scrape(system.shell)
    raises = requests_of(ticketing, "ticketing", "/customers/<int:customer_id>/tickets", "POST", "201")

    # offered; both 3 s offers run out: the queue
    ticket_id = raise_for(system, crew, 60)
    # Wait for the ticket's final state, not for the gauge: between the first time-out and the re-offer
    # the ticket is briefly unassigned, which a scrape may catch (seen: the gauge 1, then 0 again).
    deadline = time.monotonic() + 60
    while not _in_the_queue_after_both_offers(system, crew, ticket_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    after = scrape(system.ticketing)
    assert gauge(after, "sysops_tickets_unassigned", "ticketing") == gauge(
        ticketing, "sysops_tickets_unassigned", "ticketing") + 1, ticket_id
    assert gauge(after, "sysops_offers_due", "ticketing") == 0  # the worker keeps up
    # ... and says so itself, through the ticketing app's scrape: both offers closed as timed out by it
    # (counted once its sweep is done, a moment after the graph says so)
    timed_out = ticketing.get(("sysops_offers_timed_out_total", ()), 0)
    while after.get(("sysops_offers_timed_out_total", ()), 0) < timed_out + 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        after = scrape(system.ticketing)
    assert after[("sysops_offers_timed_out_total", ())] >= timed_out + 2
    assert after[("sysops_loop_steps_total", (("loop", "ticketing-worker"), ("outcome", "ok")))] > 0
    assert after[("sysops_loop_last_success_timestamp_seconds", (("loop", "ticketing-worker"),))] > time.time() - 60
    assert requests_of(after, "ticketing", "/customers/<int:customer_id>/tickets", "POST", "201") == raises + 1

    # The confirmation and both offers went to the notifications service, whose worker took them (its
    # counters are in the service's scrape); the monolith's outbox got none of them.
    handled = ("sysops_messages_handled_total", ())
    while scrape(system.notifications).get(handled, 0) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert scrape(system.notifications)[handled] >= 3
    assert gauge(scrape(system.shell), "sysops_outbox_backlog", "shell") == gauge(shell, "sysops_outbox_backlog", "shell")
    engine = make_engine(system.env["DATABASE_URL"])
    with engine.connect() as conn:  # a legacy ticket nobody has opened yet
        legacy_id = conn.scalar(select(LegacyTicket.id).where(LegacyTicket.migrated_at.is_(None))
                                .order_by(LegacyTicket.id.desc()))
    engine.dispose()
    remaining = gauge(scrape(system.shell), "sysops_migration_remaining", "shell")
    assert StaffBrowser(system.shell).fragment(f"/tickets/{legacy_id}").status_code == 200  # moves on first read
    assert gauge(scrape(system.shell), "sysops_migration_remaining", "shell") == remaining - 1


def test_one_request_id_from_the_shell_through_the_fragment_to_the_bridge(system):
    staff = StaffBrowser(system.shell)
    engine = make_engine(system.env["DATABASE_URL"])
    with engine.connect() as conn:  # opening a legacy ticket nobody has opened yet asks the bridge for it
        legacy_id = conn.scalar(select(LegacyTicket.id).where(LegacyTicket.migrated_at.is_(None))
                                .order_by(LegacyTicket.id))
    engine.dispose()
    answer = staff.http.get(f"{system.shell}/fragments/ticketing/tickets/{legacy_id}", timeout=15,
                            headers={"HX-Request": "true", "X-Request-ID": "journey-0001-abcd"})
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "journey-0001-abcd"
    deadline = time.monotonic() + 10  # gunicorn writes its access line after the answer
    logs = ("shell-access.log", "ticketing-access.log", "bridge-access.log")
    while time.monotonic() < deadline and not all(
            "rid=journey-0001-abcd" in (system.root / name).read_text() for name in logs):
        time.sleep(0.1)
    for name in logs:  # the page, the fragment it asked, and the bridge the fragment called
        assert "rid=journey-0001-abcd" in (system.root / name).read_text(), name
    made_up = staff.http.get(f"{system.shell}/", timeout=10, headers={"X-Request-ID": "not an id; <script>"})
    assert len(made_up.headers["X-Request-ID"]) == 16  # not taken as given: a fresh one
