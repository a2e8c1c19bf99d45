"""The legacy ticket rules and form parsing, without HTTP."""
from __future__ import annotations

import datetime as dt

import pytest

from shell_app.forms import FormErrors, parse_new_ticket, parse_slots
from shell_app.legacy_tickets import ALLOWED_TRANSITIONS
from shell_app.models import TICKET_STATUSES


def test_transitions_only_name_known_statuses_and_cancelled_is_final():
    assert set(ALLOWED_TRANSITIONS) == set(TICKET_STATUSES)
    assert all(targets <= set(TICKET_STATUSES) for targets in ALLOWED_TRANSITIONS.values())
    assert ALLOWED_TRANSITIONS["cancelled"] == set()


def test_slots_parse_to_sorted_datetimes_at_period_start():
    slots, error = parse_slots({"slot_date_1": "2030-01-02", "slot_period_1": "evening",
                                "slot_date_2": "2030-01-01", "slot_period_2": "morning"})
    assert error is None
    assert slots == (dt.datetime(2030, 1, 1, 8), dt.datetime(2030, 1, 2, 16))


@pytest.mark.parametrize("form, message", [
    ({}, "at least one appointment slot"),
    ({"slot_date_1": "2030-01-01", "slot_period_1": "midnight"}, "morning, afternoon or evening"),
    ({"slot_date_1": "01/02/2030", "slot_period_1": "morning"}, "valid date"),
    ({"slot_date_1": "2030-01-01", "slot_period_1": "morning",
      "slot_date_2": "2030-01-01", "slot_period_2": "morning"}, "must be different"),
])
def test_bad_slots_are_explained(form, message):
    slots, error = parse_slots(form)
    assert slots == () and message in error


def test_new_ticket_form_collects_every_field_error_at_once():
    with pytest.raises(FormErrors) as raised:
        parse_new_ticket({"contract_id": "abc", "product_id": "-1", "description": "no"}, channel="phone")
    assert set(raised.value.errors) == {"contract_id", "product_id", "description", "slots"}


def test_huge_numbers_and_overlong_text_are_rejected_not_crashing():
    with pytest.raises(FormErrors) as raised:
        parse_new_ticket({"contract_id": "9" * 40, "product_id": "1", "description": "x" * 5000,
                          "slot_date_1": "2030-01-01", "slot_period_1": "morning"}, channel="web")
    assert set(raised.value.errors) == {"contract_id", "description"}
