"""One contract for the notifications ports, run on the in-memory fakes of the fast tests and on the
graph adapters over FalkorDB and over its Bolt endpoint: what the use cases rely on holds for all."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from fragments.notifications.adapters.messages import GraphMessages
from fragments.notifications.adapters.recipients import GraphRecipients
from fragments.notifications.domain.messages import Category, Channel, Message, Recipient, State
from fragments.notifications.domain.routing import Contact
from fragments.notifications.services.ports import MessageNotFound, RecipientUnavailable, RecipientUnknown
from tests.graph.conftest import fresh_backend
from tests.support.fake_bridge import FakeBridgeClient
from tests.support.memory_notifications import MemoryMessages, MemoryRecipients

T0 = dt.datetime(2026, 12, 3, 10, 0, 0, 123456)
ADA, EVE = Recipient("customer", 7), Recipient("expert", 3)


@pytest.fixture(params=["memory", "falkordb", "bolt"])
def ports(request):
    """(messages, recipients, the monolith's people: a FakeBridgeClient for the graph's, else None)."""
    if request.param == "memory":
        recipients = MemoryRecipients()
        recipients.person(ADA, Contact("Ada Lovelace", "ada@example.com", "+447700900001", Channel.SMS))
        recipients.person(EVE, Contact("Eve Expert", "eve@example.com", "+447700900003", Channel.SMS))
        yield MemoryMessages(), recipients, recipients
        return
    backends = fresh_backend(request, request.param)
    backend = next(backends)
    bridge = FakeBridgeClient()
    bridge.customers[7] = {"id": 7, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                           "phone": "+447700900001", "notification_preference": "sms"}
    bridge.expert_map[3] = {"id": 3, "first_name": "Eve", "last_name": "Expert", "email": "eve@example.com",
                            "phone": "+447700900003"}
    clock = {"now": T0}
    yield GraphMessages(backend), GraphRecipients(backend, bridge, lambda: clock["now"]), bridge
    next(backends, None)


def switch_off(people) -> None:
    people.unavailable = True


def msg(key: str, at: dt.datetime = T0, recipient: Recipient = ADA, **extra) -> Message:
    return Message(key=key, recipient=recipient, category=Category.CONFIRMATION, subject="Subject é <b>",
                   body="Body 'quoted' \"twice\"\nline two", requested_by="ticketing", created_at=at,
                   next_attempt_at=at, **extra)


def test_add_is_once_per_key_and_reads_back_whole(ports):
    messages, _, _ = ports
    (first, created), = messages.add([msg("received:1")])
    (again, created_again), = messages.add([msg("received:1")])
    assert created and not created_again and again.id == first.id
    back = messages.get(first.id)
    assert (back.key, back.subject, back.body, back.created_at, back.state) == (
        "received:1", "Subject é <b>", "Body 'quoted' \"twice\"\nline two", T0, State.QUEUED)
    assert messages.by_keys(["received:1", "nope"]).keys() == {"received:1"}
    with pytest.raises(MessageNotFound):
        messages.get("does-not-exist")


def test_concurrent_adds_of_one_key_store_one_message(ports):
    messages, _, _ = ports
    results = []

    def add():
        results.append(messages.add([msg("race:0001")])[0])

    threads = [threading.Thread(target=add) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(created for _, created in results) == 1 and len({m.id for m, _ in results}) == 1


def test_claims_take_due_messages_oldest_first_once_each_until_the_lease_ends(ports):
    messages, _, _ = ports
    messages.add([msg("late", T0 + dt.timedelta(seconds=5)), msg("early", T0), msg("later", T0 + dt.timedelta(hours=1))])
    lease = T0 + dt.timedelta(seconds=60)
    now = T0 + dt.timedelta(seconds=10)
    assert [m.key for m in messages.claim_due(now, lease, 10)] == ["early", "late"]
    assert messages.claim_due(now, lease, 10) == []
    assert [m.key for m in messages.claim_due(lease + dt.timedelta(seconds=1), lease + dt.timedelta(minutes=2), 1)] == [
        "early"]


def test_save_keeps_the_outcome_and_ends_the_lease(ports):
    messages, _, _ = ports
    (m, _), = messages.add([msg("booked:1")])
    claimed, = messages.claim_due(T0, T0 + dt.timedelta(seconds=60), 5)
    claimed.refused_by(Channel.EMAIL, "550 no such user", T0)
    claimed.attempt_failed("sms: gateway down", T0, channel="sms")
    messages.save(claimed)
    back = messages.get(m.id)
    assert back.state == State.QUEUED and back.attempts == 1 and back.refused == ("email",)
    assert [a.outcome for a in back.history] == ["refused", "failed"]
    assert [c.key for c in messages.claim_due(back.next_attempt_at, back.next_attempt_at + dt.timedelta(60), 5)] == [
        "booked:1"]  # claimable again at its next attempt: the lease ended with the save
    claimed.sent(Channel.SMS, "+447700900001", "ref-1", T0)
    messages.save(claimed)
    assert messages.claim_due(T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=2), 5) == []
    assert messages.get(m.id).sent_at == T0 and messages.count([State.SENT]) == 1


def test_lists_newest_first_by_recipient_and_state(ports):
    messages, _, _ = ports
    messages.add([msg("a:000001", T0), msg("b:000001", T0 + dt.timedelta(seconds=1)),
                  msg("c:000001", T0 + dt.timedelta(seconds=2), EVE)])
    assert [m.key for m in messages.list(recipient=ADA)] == ["b:000001", "a:000001"]
    assert [m.key for m in messages.list(states=[State.QUEUED], limit=2)] == ["c:000001", "b:000001"]
    assert messages.list(states=[State.FAILED]) == []


def test_recipients_are_copied_on_first_need_and_keep_their_choices(ports):
    _, recipients, _ = ports
    assert recipients.known([ADA]) == {}
    ada = recipients.contact(ADA)
    assert (ada.email, ada.phone, ada.preferred, ada.first_name) == ("ada@example.com", "+447700900001", Channel.SMS,
                                                                     "Ada")
    assert recipients.known([ADA, EVE]).keys() == {"customer:7"}
    chosen = recipients.set_preferences(ADA, Channel.EMAIL, frozenset({Category.SURVEY}))
    assert chosen.preferred == Channel.EMAIL and recipients.contact(ADA).opted_out == {Category.SURVEY}
    assert recipients.contact(EVE).preferred == Channel.SMS


def test_an_unknown_person_and_an_owner_that_does_not_answer(ports):
    _, recipients, people = ports
    with pytest.raises(RecipientUnknown):
        recipients.contact(Recipient("customer", 404))
    recipients.contact(ADA)
    switch_off(people)
    assert recipients.contact(ADA).email == "ada@example.com"  # the copy does
    with pytest.raises(RecipientUnavailable):
        recipients.contact(EVE)  # never met: waits for the owner
