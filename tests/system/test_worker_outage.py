"""The ticketing worker outlives a graph outage: with the graph server killed for a minute, the worker
process stays up (logging and backing off), and once the graph is back it times out the offer that fell
due meanwhile and offers the ticket to the next expert. A system of its own: the outage must not touch
the other system tests."""
from __future__ import annotations

import time

import pytest

from tests.support.local_system import System

from .conftest import offered_expert
from .crew import raise_for, two_experts

OUTAGE_S = 60


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("outage"), offer_timeout_s=3).start()
    yield running
    running.stop()


def _ticket(system, ticket_id):
    with system.graph_store() as store:
        return store.tickets.get(ticket_id)


def _redispatched(ticket) -> bool:
    """Timed out and offered to the next expert. (Closing the offer and the next offer are two writes:
    between them the ticket reads unassigned with one allocation.)"""
    return ticket["allocations"][0]["state"] == "timed_out" and len(ticket["allocations"]) > 1


@pytest.mark.slow
def test_the_worker_stays_up_through_a_graph_outage_and_finishes_due_offers_after(system):
    crew = two_experts(system)
    ticket_id = raise_for(system, crew, 41)
    first_expert = offered_expert(system, ticket_id)
    worker = system.processes["worker"]

    system.kill("graph")  # the offer falls due (3 s) while nobody can read or write the graph
    down_until = time.monotonic() + OUTAGE_S
    while time.monotonic() < down_until:
        assert worker.poll() is None, (system.root / "worker.log").read_text()[-2000:]
        time.sleep(1)
    log = (system.root / "worker.log").read_text()
    assert "GraphUnavailable" in log and "retrying in" in log  # it saw the outage and said so

    with open(system.root / "graph-restart.log", "ab") as out:  # the child keeps its own descriptor
        process = system.graph.spawn(stdout=out)
    system.graph.wait_ready(process, timeout=60)
    system.processes["graph"] = process
    deadline = time.monotonic() + 30
    ticket = _ticket(system, ticket_id)
    while not _redispatched(ticket) and time.monotonic() < deadline:
        time.sleep(0.2)  # timed out, then offered to the next expert
        ticket = _ticket(system, ticket_id)
    assert worker.poll() is None and system.processes["worker"] is worker  # the same process all along
    assert ticket["allocations"][0]["expert_id"] == first_expert
    assert ticket["allocations"][0]["state"] == "timed_out"
    if len(ticket["allocations"]) == 1:
        # The graph just back may refuse the next offer's write once: the ticket then waits, visible, in
        # the staff's queue of unassigned tickets rather than being offered.
        assert ticket["status"] == "unassigned", ticket
    else:  # the other expert, who is free at every slot (that offer runs out after 3 s too, so it may be
        # seen already timed out on a busy machine)
        assert [(a["expert_id"], a["state"] in ("offered", "timed_out")) for a in ticket["allocations"][1:]] == [
            (crew.other(first_expert), True)], ticket["allocations"]
    deadline = time.monotonic() + 10  # it logs its recovery once the step that did the work returns
    while "working again after" not in (system.root / "worker.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "working again after" in (system.root / "worker.log").read_text()


def test_two_workers_never_act_twice_on_the_same_due_offer(system):
    """Scaled out: a second worker sweeps the same offers; each due offer is timed out exactly once
    and the ticket offered once to the next expert (closing an offer is one conditional graph write)."""
    crew = two_experts(system)
    system.start_worker("worker2")
    try:
        ticket_ids = [raise_for(system, crew, index) for index in (50, 51, 52)]
        deadline = time.monotonic() + 60
        tickets = [_ticket(system, t) for t in ticket_ids]
        while time.monotonic() < deadline and not all(t["status"] == "unassigned" for t in tickets):
            time.sleep(0.3)  # both experts' 3 s offers run out, one after the other
            tickets = [_ticket(system, t) for t in ticket_ids]
        for ticket in tickets:
            assert ticket["status"] == "unassigned", ticket["allocations"]
            offers = len(ticket["allocations"])  # each of the two experts once: both are free at every slot
            assert offers == 2 and all(a["state"] == "timed_out" for a in ticket["allocations"])
            assert {a["expert_id"] for a in ticket["allocations"]} == set(crew.expert_ids)  # never the same one twice
            actions = [e["action"] for e in ticket["history"]]
            assert actions.count("timed_out") == offers and actions.count("offered") == offers, actions
    finally:
        system.kill("worker2")
