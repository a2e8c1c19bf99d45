"""The ticketing domain on its own: states and transitions, slots, ranking."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.ticketing.domain.ranking import Candidate, preferred_slot, rank
from fragments.ticketing.domain.slots import (
    SlotError,
    parse_slot,
    upcoming_choices,
    validate_slots,
)
from fragments.ticketing.domain.states import (
    OPEN,
    TRANSITIONS,
    State,
    TransitionRefused,
    allowed_actions,
    next_state,
)

NOW = dt.datetime(2026, 11, 25, 10, 30)


def test_every_state_is_reachable_and_every_open_state_can_be_cancelled():
    reached = {State.NEW} | {target for moves in TRANSITIONS.values() for target in moves.values()}
    assert reached == set(State)
    for state in OPEN:
        assert next_state("cancel", state) == State.CANCELLED


@pytest.mark.parametrize(("action", "current", "expected"), [
    ("offer", "new", "offered"), ("offer", "unassigned", "offered"), ("accept", "offered", "assigned"),
    ("refuse", "offered", "unassigned"), ("time_out", "offered", "unassigned"), ("close", "assigned", "closed"),
    ("reopen", "closed", "unassigned"), ("no_candidate", "new", "unassigned")])
def test_allowed_transitions(action, current, expected):
    assert next_state(action, current) == expected


@pytest.mark.parametrize(("action", "current"), [
    ("accept", "new"), ("offer", "assigned"), ("cancel", "closed"), ("cancel", "cancelled"), ("update", "closed"),
    ("close", "offered"), ("offer", "bogus"), ("fly", "new")])
def test_refused_transitions_say_why(action, current):
    with pytest.raises(TransitionRefused) as refused:
        next_state(action, current)
    assert "cannot" in str(refused.value)


def test_allowed_actions_of_a_closed_ticket():
    assert allowed_actions("closed") == ["reopen", "note"]
    assert allowed_actions("nonsense") == []


def test_slots_parse_periods_and_iso_starts():
    assert parse_slot("2026-11-26 morning") == dt.datetime(2026, 11, 26, 8)
    assert parse_slot("2026-11-26T16:00:00") == dt.datetime(2026, 11, 26, 16)
    for bad in ("2026-11-26 night", "tomorrow", "2026-11-26T09:00:00", "2026-13-01 morning", ""):
        with pytest.raises(SlotError):
            parse_slot(bad)


@pytest.mark.parametrize(("texts", "message"), [
    ([], "at least one"), (["", "  "], "at least one"),
    (["2026-11-26 morning", "2026-11-26 afternoon", "2026-11-26 evening", "2026-11-27 morning"], "at most 3"),
    (["2026-11-26 morning", "2026-11-26T08:00:00"], "once"), (["2026-11-25 morning"], "already started"),
    (["2027-06-01 morning"], "days ahead")])
def test_slot_choice_rules(texts, message):
    with pytest.raises(SlotError, match=message):
        validate_slots(texts, NOW)


def test_valid_slots_keep_the_customers_order_of_preference():
    slots = validate_slots(["2026-11-27 evening", "2026-11-25 afternoon"], NOW)
    assert slots == [dt.datetime(2026, 11, 27, 16), dt.datetime(2026, 11, 25, 12)]
    choices = upcoming_choices(NOW, days=1)
    assert choices[0][0] == "2026-11-25 afternoon" and len(choices) == 5


def test_ranking_load_then_score_then_fairness_then_id():
    a = Candidate(1, ("s",), load=2, score=5.0, last_offered_at="")
    b = Candidate(2, ("s",), load=1, score=1.0, last_offered_at="2026-11-25T10:00:00")
    c = Candidate(3, ("s",), load=1, score=4.5, last_offered_at="2026-11-25T10:00:00")
    d = Candidate(4, ("s",), load=1, score=4.5, last_offered_at="2026-11-24T09:00:00")
    busy = Candidate(5, (), load=0, score=5.0, last_offered_at="")
    assert [x.expert_id for x in rank([a, b, c, d, busy])] == [4, 3, 2, 1]


def test_preferred_slot_is_the_customers_first_choice_the_expert_has_free():
    slots = [dt.datetime(2026, 11, 27, 16), dt.datetime(2026, 11, 26, 8)]
    both = Candidate(1, ("2026-11-26T08:00:00", "2026-11-27T16:00:00"), 0, 0.0, "")
    second = Candidate(2, ("2026-11-26T08:00:00",), 0, 0.0, "")
    assert preferred_slot(both, slots) == "2026-11-27T16:00:00"
    assert preferred_slot(second, slots) == "2026-11-26T08:00:00"
    assert preferred_slot(Candidate(3, ("2026-12-01T08:00:00",), 0, 0.0, ""), slots) is None
