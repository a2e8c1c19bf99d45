"""The notifications use cases over in-memory ports: idempotency, routing with fallback, retries and
the dead-letter list, quiet hours, opting out, resending."""
from __future__ import annotations

import datetime as dt

import pytest

from fragments.notifications.domain.messages import MAX_ATTEMPTS, Category, Channel, InvalidMessage, Recipient, State
from fragments.notifications.domain.routing import Contact
from fragments.notifications.services.ports import RecipientUnavailable
from fragments.notifications.services.sending import KeyReused, parse
from fragments.notifications.wiring import build
from tests.support.clock import Clock
from tests.support.memory_notifications import MemoryMessages, MemoryRecipients, MemoryStaffAlerts, RecordingChannels

ADA = Recipient("customer", 7)
BOB = Recipient("customer", 8)
EXPERT = Recipient("expert", 3)


@pytest.fixture
def world():
    clock = Clock(dt.datetime(2026, 12, 3, 10, 0))
    recipients, channels = MemoryRecipients(), RecordingChannels()
    recipients.person(ADA, Contact("Ada Lovelace", email="ada@example.com", phone="+44 7700 900001"))
    recipients.person(BOB, Contact("Bob Byte", email="", phone="+44 7700 900002", preferred=Channel.SMS))
    recipients.person(EXPERT, Contact("Eve Expert", email="eve@example.com", phone="+44 7700 900003",
                                      preferred=Channel.SMS))
    n = build(MemoryMessages(), recipients, channels, clock, alerts=MemoryStaffAlerts())
    return n, recipients, channels, clock


def message(key: str, recipient: Recipient = ADA, category: str = "confirmation", body: str = "Hello", **extra):
    return {"key": key, "category": category, "recipient": {"kind": recipient.kind, "id": recipient.id},
            "subject": "About your ticket", "body": body, **extra}


def accept(n, clock, *bodies):
    return n.sending.accept([parse(b, "ticketing", clock) for b in bodies])


def drain(n, clock, rounds: int = 20) -> None:
    for _ in range(rounds):
        n.delivery.run_once()
        clock.advance(seconds=LONGEST)


LONGEST = 301


def test_a_key_sends_once_and_a_key_reused_for_another_message_is_refused(world):
    n, _, channels, clock = world
    first = accept(n, clock, message("received:1"))[0]
    again, other = accept(n, clock, message("received:1"), message("received:1", body="Something else"))
    assert first.created and not again.created and again.message.id == first.message.id
    assert isinstance(other.error, KeyReused)
    drain(n, clock)
    assert channels.texts("received:1") == [(Channel.EMAIL, "ada@example.com")]
    assert accept(n, clock, message("received:1"))[0].message.state == State.SENT  # still once


def test_the_same_key_twice_in_one_batch_is_one_message(world):
    n, _, channels, clock = world
    outcomes = accept(n, clock, message("twice:0001"), message("twice:0001"))
    assert outcomes[0].created and outcomes[1].message.key == "twice:0001" and not outcomes[1].created
    drain(n, clock)
    assert len(channels.texts("twice:0001")) == 1


@pytest.mark.parametrize("bad, field", [
    ({"key": "short"}, "key"), ({"category": "spam"}, "category"), ({"recipient": {"kind": "robot", "id": 1}}, "recipient"),
    ({"recipient": {"kind": "customer", "id": True}}, "recipient"), ({"subject": ""}, "subject"),
    ({"body": "x" * 4001}, "body"), ({"channel": "pigeon"}, "channel"), ({"body": "nul\x00"}, "body")])
def test_bad_input_names_the_field(bad, field):
    with pytest.raises(InvalidMessage) as refused:
        parse({**message("bad:00001"), **bad}, "ticketing", lambda: dt.datetime(2026, 1, 1))
    assert field in refused.value.errors


def test_the_preferred_channel_first_and_the_other_when_it_refuses_the_address_for_good(world):
    n, _, channels, clock = world
    channels.refuse.add("ada@example.com")
    accept(n, clock, message("booked:1"))
    drain(n, clock)
    sent = n.outboxes.of(ADA)[0]
    assert channels.texts("booked:1") == [(Channel.SMS, "+44 7700 900001")]
    assert sent.state == State.SENT and sent.sent_by == Channel.SMS and sent.refused == (Channel.EMAIL,)
    assert [a.outcome for a in sent.history] == ["refused", "sent"]


def test_a_missing_address_goes_by_the_channel_that_has_one(world):
    n, _, channels, clock = world
    accept(n, clock, message("booked:2", BOB, channel="email"))  # Bob has no email address
    drain(n, clock)
    assert channels.texts("booked:2") == [(Channel.SMS, "+44 7700 900002")]


def test_a_channel_down_is_retried_with_back_off_then_the_message_is_dead_lettered_and_resent(world):
    n, _, channels, clock = world
    channels.down |= {Channel.EMAIL, Channel.SMS}
    accept(n, clock, message("received:3"))
    pauses = []
    for _ in range(MAX_ATTEMPTS):
        n.delivery.run_once()
        m = n.outboxes.of(ADA)[0]
        if m.next_attempt_at:
            pauses.append((m.next_attempt_at - clock()).total_seconds())
            clock.now = m.next_attempt_at
    assert pauses == [2, 4, 8, 16, 32]
    dead = n.outboxes.recent([State.FAILED])
    assert [m.key for m in dead] == ["received:3"] and dead[0].attempts == MAX_ATTEMPTS
    assert n.delivery.run_once() == 0  # a dead letter is not claimed again
    channels.down.clear()
    n.delivery.resend(dead[0].id, "callcentre")
    n.delivery.run_once()
    assert n.outboxes.get(dead[0].id).state == State.SENT and channels.texts("received:3")


def test_every_channel_refusing_for_good_dead_letters_at_once(world):
    n, _, channels, clock = world
    channels.refuse |= {"ada@example.com", "+44 7700 900001"}
    accept(n, clock, message("received:4"))
    n.delivery.run_once()
    m = n.outboxes.of(ADA)[0]
    assert m.state == State.FAILED and m.attempts == 1 and not channels.sent


def test_an_unknown_recipient_is_dead_lettered_and_an_unreachable_owner_makes_the_message_wait(world):
    n, recipients, channels, clock = world
    accept(n, clock, message("received:5", Recipient("customer", 999)))
    recipients.unavailable = True
    accept(n, clock, message("received:6", BOB))
    n.delivery.run_once()
    assert n.outboxes.of(Recipient("customer", 999))[0].state == State.FAILED
    waiting = n.outboxes.of(BOB)[0]
    assert waiting.state == State.QUEUED and waiting.history[-1].outcome == "waiting"
    recipients.unavailable = False
    clock.now = waiting.next_attempt_at
    n.delivery.run_once()
    assert n.outboxes.of(BOB)[0].state == State.SENT


def test_quiet_hours_hold_a_reminder_until_morning_but_not_a_confirmation(world):
    n, _, channels, clock = world
    clock.now = dt.datetime(2026, 12, 3, 22, 30)
    accept(n, clock, message("remind:1", category="reminder"), message("received:7"))
    n.delivery.run_once()
    assert channels.texts("received:7") and not channels.texts("remind:1")
    assert n.messages.by_keys(["remind:1"])["remind:1"].next_attempt_at == dt.datetime(2026, 12, 4, 7, 0)
    clock.now = dt.datetime(2026, 12, 4, 7, 0)
    n.delivery.run_once()
    assert channels.texts("remind:1")


def test_an_opted_out_customer_gets_no_survey_but_still_their_confirmation(world):
    n, _, channels, clock = world
    n.preferences.choose(ADA, "sms", ["survey"])
    outcomes = accept(n, clock, message("survey:1", category="survey"), message("booked:8"))
    drain(n, clock)
    assert outcomes[0].message.state == State.SUPPRESSED
    assert channels.texts("booked:8") == [(Channel.SMS, "+44 7700 900001")] and not channels.texts("survey:1")


def test_a_preference_must_be_a_channel_and_only_optional_kinds_can_be_opted_out_of(world):
    n, _, _, _ = world
    with pytest.raises(InvalidMessage) as refused:
        n.preferences.choose(ADA, "fax", ["confirmation"])
    assert set(refused.value.errors) == {"channel", "opted_out"}
    assert n.preferences.of(ADA).preferred == Channel.EMAIL


def test_the_choice_as_held_here_needs_the_owner_of_the_record_only_for_someone_not_met_yet(world):
    n, recipients, _, _ = world
    recipients.unavailable = True  # the owner of the record does not answer
    with pytest.raises(RecipientUnavailable):
        n.preferences.chosen(ADA)  # never met: only their record says how to reach them
    recipients.unavailable = False
    assert n.preferences.chosen(ADA).preferred == Channel.EMAIL  # met now, and copied
    n.preferences.choose(ADA, "sms", ["survey"])
    recipients.unavailable = True
    held = n.preferences.chosen(ADA)
    assert held.preferred == Channel.SMS and held.opted_out == frozenset({Category.SURVEY})


def test_a_bounce_marks_the_message_and_a_resend_goes_by_the_other_channel(world):
    n, _, channels, clock = world
    accept(n, clock, message("booked:9"))
    n.delivery.run_once()
    m = n.outboxes.of(ADA)[0]
    assert n.delivery.receipt(m.id, delivered=False, detail="550 mailbox unknown")
    assert n.outboxes.get(m.id).state == State.BOUNCED
    n.delivery.resend(m.id, "callcentre")
    n.delivery.run_once()
    assert channels.texts("booked:9") == [(Channel.EMAIL, "ada@example.com"), (Channel.SMS, "+44 7700 900001")]


def test_a_sent_message_is_not_resent(world):
    n, _, _, clock = world
    accept(n, clock, message("booked:10"))
    n.delivery.run_once()
    with pytest.raises(InvalidMessage):
        n.delivery.resend(n.outboxes.of(ADA)[0].id, "callcentre")


def test_a_leased_message_is_not_claimed_twice_until_its_lease_runs_out(world):
    n, _, _, clock = world
    accept(n, clock, message("booked:11"))
    first = n.messages.claim_due(clock(), clock() + dt.timedelta(seconds=60), 10)
    assert [m.key for m in first] == ["booked:11"]
    assert n.messages.claim_due(clock(), clock() + dt.timedelta(seconds=60), 10) == []
    clock.advance(seconds=61)  # the claimer died: the lease runs out and the message is claimed again
    assert [m.key for m in n.messages.claim_due(clock(), clock() + dt.timedelta(seconds=60), 10)] == ["booked:11"]


def test_urgent_kinds_are_never_held_and_only_reminders_and_surveys_are_optional():
    assert {c for c in Category if c.urgent} == {Category.CONFIRMATION, Category.OFFER, Category.ON_MY_WAY,
                                                 Category.ALERT}
    assert {c for c in Category if c.optional} == {Category.REMINDER, Category.SURVEY}


def test_every_state_has_words_for_the_screens():
    from fragments.notifications.domain.messages import LABELS

    assert set(LABELS) == set(State)


def test_quiet_hours_are_a_setting_and_may_be_none():
    from fragments.notifications.domain.routing import QuietHours, first_send

    late = dt.datetime(2026, 12, 3, 23, 0)
    assert first_send(Category.REMINDER, late, QuietHours.parse("22:00-06:30")) == dt.datetime(2026, 12, 4, 6, 30)
    assert first_send(Category.REMINDER, late, QuietHours.parse("none")) == late
    assert first_send(Category.SURVEY, dt.datetime(2026, 12, 3, 13), QuietHours.parse("12:00-14:00")) == dt.datetime(
        2026, 12, 3, 14)
