"""The composition root: the notifications use cases built from their ports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from foundation.config import Settings
from foundation.tokens import TokenSigner
from fragments.customers.published.reader_v1 import CustomersApi, installed_reader
from graph_store import GraphConnection

from .adapters.alerts import GraphStaffAlerts
from .adapters.channels import Channels, HttpSmsGateway, SmsSink, Smtp
from .adapters.legacy_outbox import BridgeLegacyOutbox
from .adapters.messages import GraphMessages
from .adapters.recipients import GraphRecipients
from .domain.routing import DEFAULT_QUIET, QuietHours
from .services.alerting import Alerting
from .services.delivery import Delivery, Outboxes
from .services.ports import Channels as ChannelsPort
from .services.ports import Clock, LegacyOutbox, Messages, Recipients, StaffAlerts
from .services.preferences import Preferences
from .services.sending import Sending


@dataclass(frozen=True)
class Notifications:
    sending: Sending
    delivery: Delivery
    outboxes: Outboxes
    preferences: Preferences
    messages: Messages
    recipients: Recipients
    alerting: Alerting
    receipt_key: str = ""  # what the SMS gateway's delivery reports carry (none: reports are refused)


def build(messages: Messages, recipients: Recipients, channels: ChannelsPort, clock: Clock = dt.datetime.now,
          lease: dt.timedelta = dt.timedelta(seconds=60), legacy: LegacyOutbox | None = None,
          quiet: QuietHours = DEFAULT_QUIET, receipt_key: str = "", *, alerts: StaffAlerts) -> Notifications:
    return Notifications(Sending(messages, recipients, clock, quiet),
                         Delivery(messages, recipients, channels, clock, lease, legacy),
                         Outboxes(messages), Preferences(recipients), messages, recipients, Alerting(alerts, clock),
                         receipt_key)


def sms_sink_path(settings: Settings):
    return settings.data_dir / "sms" / "texts.jsonl"


def channels_for(settings: Settings) -> Channels:
    sms = (HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_key) if settings.sms_gateway_url
           else SmsSink(sms_sink_path(settings)))
    return Channels(Smtp(settings.smtp_host, settings.smtp_port, settings.mail_from), sms)


def on_graph(graph: GraphConnection, settings: Settings, lease: dt.timedelta = dt.timedelta(seconds=60)) -> Notifications:
    """The production set: messages and recipients in the graph, customers' addresses read from the
    customers service (experts': copied from the monolith, through the connection's bridge), email over
    SMTP, texts through the gateway (or the sink); after a rollback of the switch, queued messages go
    back to the monolith's outbox."""
    signer = TokenSigner.from_folder(settings.signing_folder("notifications"), "notifications")
    customers = installed_reader(graph.backend, CustomersApi(settings.customers_url,
                                                             signer.service_token("fragment:customers")),
                                 graph.bridge, "customers" in dict(settings.fragments))
    recipients = GraphRecipients(graph.backend, graph.bridge, customers=customers)
    return build(GraphMessages(graph.backend), recipients, channels_for(settings),
                 lease=lease, legacy=BridgeLegacyOutbox(graph.bridge), quiet=QuietHours.parse(settings.quiet_hours),
                 receipt_key=settings.sms_receipt_key, alerts=GraphStaffAlerts(graph.backend))
