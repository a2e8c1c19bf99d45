"""Where messages go: SMTP for email; SMS through a gateway interface (default: a local log)."""
from __future__ import annotations

import json
import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from foundation.mail import message_id
from shell_app.models import Notification


class TransportError(Exception):
    """Delivery failed; the worker retries with back-off."""


class Transport(Protocol):
    def send(self, notification: Notification) -> None: ...


class SmtpTransport:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, notification: Notification) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.address
        message["Subject"] = notification.subject
        # A stable Message-ID lets a receiver drop the duplicate of an at-least-once redelivery.
        message["Message-ID"] = message_id(notification.idempotency_key, self.sender)
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class SmsLogTransport:
    """The default SMS gateway: one JSON line per message in a local file, fsynced.

    A real gateway (an HTTP API) implements the same `send`; the legacy Outbox screen shows this log.
    """

    def __init__(self, path: Path):
        self.path = path

    def send(self, notification: Notification) -> None:
        line = json.dumps({"id": notification.id, "key": notification.idempotency_key, "to": notification.address,
                           "text": notification.body}) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(line)
                log.flush()
                os.fsync(log.fileno())
        except OSError as exc:
            raise TransportError(f"SMS log {self.path}: {exc}") from exc


def read_sms_log(path: Path, limit: int = 200) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in reversed(lines) if line.strip()]
