"""The channels against real servers: the HTTP SMS gateway adapter against a fake gateway (the one part
outside our system), SMTP against a real server that refuses an address; and the fallback through both."""
from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller

from fragments.notifications.adapters.channels import Channels, HttpSmsGateway, SmsSink, Smtp, read_sms_sink
from fragments.notifications.domain.messages import Category, Channel, Message, Recipient, State
from fragments.notifications.domain.routing import Contact
from fragments.notifications.services.ports import DeliveryError
from fragments.notifications.wiring import build
from tests.support.fake_sms_gateway import FakeSmsGateway
from tests.support.memory_notifications import MemoryMessages, MemoryRecipients, MemoryStaffAlerts
from tests.support.processes import free_port

NOW = dt.datetime(2026, 12, 3, 10, 0)


def message(key: str = "received:700000001") -> Message:
    return Message(key=key, recipient=Recipient("customer", 7), category=Category.CONFIRMATION, subject="Received",
                   body="We have your ticket.", requested_by="ticketing", created_at=NOW, next_attempt_at=NOW)


class Refusing:
    """An SMTP server that refuses one mailbox (550) and keeps the rest."""

    def __init__(self):
        self.kept = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.kept.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def test_the_gateway_adapter_sends_with_its_key_and_says_what_a_refusal_means():
    with FakeSmsGateway() as gateway:
        sms = HttpSmsGateway(gateway.url, gateway.key, timeout=5)
        assert sms.send("+44 7700 900001", "Hello", "received:1") == "gw-1"
        assert gateway.received == [{"to": "+447700900001", "text": "Hello", "reference": "received:1"}]
        gateway.refused_numbers.add("+447700900002")
        with pytest.raises(DeliveryError) as refused:
            sms.send("+44 7700 900002", "Hello", "received:2")
        assert refused.value.permanent
        gateway.down = True
        with pytest.raises(DeliveryError) as down:
            sms.send("+44 7700 900001", "Hello", "received:3")
        assert not down.value.permanent
        with pytest.raises(DeliveryError) as wrong_key:
            HttpSmsGateway(gateway.url, "not-the-key").send("+447700900001", "Hello", "received:4")
        assert not wrong_key.value.permanent  # our configuration: retried, and seen in the dead letters
    with pytest.raises(DeliveryError) as gone:
        HttpSmsGateway(gateway.url, gateway.key, timeout=1).send("+447700900001", "Hello", "received:5")
    assert not gone.value.permanent


def test_smtp_says_a_refused_mailbox_is_for_good(smtp):
    port, handler = smtp
    channel = Smtp("127.0.0.1", port, "Sysops <no-reply@sysops-squad.example>", timeout=5)
    assert channel.send("ada@example.com", message()).startswith("<received.700000001.")
    with pytest.raises(DeliveryError) as refused:
        channel.send("gone@example.com", message())
    assert refused.value.permanent and len(handler.kept) == 1
    with pytest.raises(DeliveryError) as down:
        Smtp("127.0.0.1", free_port(), "x@example.com", timeout=1).send("ada@example.com", message())
    assert not down.value.permanent


def test_a_bounced_address_falls_back_to_the_gateway_and_a_refused_number_to_email(smtp, tmp_path):
    port, handler = smtp
    with FakeSmsGateway() as gateway:
        recipients = MemoryRecipients()
        recipients.person(Recipient("customer", 7), Contact("Ada", email="gone@example.com", phone="+447700900001"))
        recipients.person(Recipient("customer", 8), Contact("Bob", email="bob@example.com", phone="+447700900009",
                                                            preferred=Channel.SMS))
        gateway.refused_numbers.add("+447700900009")
        n = build(MemoryMessages(), recipients, Channels(Smtp("127.0.0.1", port, "x@example.com", timeout=5),
                                                         HttpSmsGateway(gateway.url, gateway.key, timeout=5)),
                  lambda: NOW, alerts=MemoryStaffAlerts())
        n.messages.add([message("received:7"), Message(
            key="received:8", recipient=Recipient("customer", 8), category=Category.CONFIRMATION, subject="Received",
            body="We have your ticket.", requested_by="ticketing", created_at=NOW, next_attempt_at=NOW)])
        n.delivery.run_once()
        ada, bob = n.messages.by_keys(["received:7"])["received:7"], n.messages.by_keys(["received:8"])["received:8"]
        assert (ada.state, ada.sent_by, ada.provider_ref) == (State.SENT, Channel.SMS, "gw-1")
        assert (bob.state, bob.sent_by, bob.address) == (State.SENT, Channel.EMAIL, "bob@example.com")
        assert [r["reference"] for r in gateway.received] == ["received:7"] and len(handler.kept) == 1


def test_the_local_sink_refuses_what_is_not_a_phone_number(tmp_path):
    sink = SmsSink(tmp_path / "texts.jsonl")
    assert sink.send("+44 (0)20 7946-0000", "Hi", "k:1") == "sink:k:1"
    with pytest.raises(DeliveryError) as refused:
        sink.send("call me maybe", "Hi", "k:2")
    assert refused.value.permanent
    assert [t["reference"] for t in read_sms_sink(tmp_path / "texts.jsonl")] == ["k:1"]
