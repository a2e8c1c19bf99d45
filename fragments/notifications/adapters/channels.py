"""The channels: email over SMTP; SMS through a gateway. The local default gateway is a sink that
records each text (fsynced JSON lines); production names an HTTP gateway (`SYSOPS_SMS_GATEWAY_URL`).
Each says whether a failure is for good (the address refused: the fallback channel is tried at once)
or for now (retried with back-off)."""
from __future__ import annotations

import json
import os
import re
import smtplib
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import requests

from foundation.mail import message_id

from ..domain.messages import Channel, Message
from ..services.ports import DeliveryError

# A number an SMS gateway takes: an optional +, then 7 to 15 digits (spaces, dots, dashes and brackets
# between them are how people type it).
PHONE = re.compile(r"^\+?[0-9]{7,15}$")


def plain_number(phone: str) -> str:
    return re.sub(r"[\s().-]", "", phone)


class SmsGateway(Protocol):
    def send(self, to: str, text: str, reference: str) -> str: ...  # the gateway's id; DeliveryError


class Smtp:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, to: str, message: Message) -> str:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = to
        mail["Subject"] = message.subject
        # The same Message-ID at every send of one key (and as the legacy outbox gave it).
        mail["Message-ID"] = reference = message_id(message.key, self.sender)
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"the mail server refused {to}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            raise DeliveryError(f"SMTP {exc.smtp_code} {exc.smtp_error!r}", permanent=permanent) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc
        return reference


class SmsSink:
    """The local SMS gateway: every text as one fsynced JSON line in a file, read back by the outbox
    screen and the tests. It refuses what a real gateway refuses: a number that is not one."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def send(self, to: str, text: str, reference: str) -> str:
        number = plain_number(to)
        if not PHONE.match(number):
            raise DeliveryError(f"the SMS gateway refused {to!r}: not a phone number", permanent=True)
        line = json.dumps({"to": number, "text": text, "reference": reference}) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "a", encoding="utf-8") as log:
                log.write(line)
                log.flush()
                os.fsync(log.fileno())
        except OSError as exc:
            raise DeliveryError(f"SMS sink {self.path}: {exc}") from exc
        return f"sink:{reference}"


def read_sms_sink(path: Path, limit: int = 500) -> list[dict]:
    """The newest texts first."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in reversed(lines) if line.strip()]


class HttpSmsGateway:
    """An SMS gateway's HTTP API: POST {to, text, reference} with a bearer key; 2xx with {id} is taken,
    400 and 422 are the number refused (for good), anything else is retried."""

    def __init__(self, url: str, api_key: str, timeout: float = 10.0):
        self.url, self.timeout = url, timeout
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["Authorization"] = f"Bearer {api_key}"

    def send(self, to: str, text: str, reference: str) -> str:
        try:
            answer = self.http.post(self.url, json={"to": plain_number(to), "text": text, "reference": reference},
                                    timeout=(2.0, self.timeout))
        except requests.RequestException as exc:
            raise DeliveryError(f"SMS gateway not answering ({exc.__class__.__name__})") from exc
        if answer.status_code in (400, 422):
            raise DeliveryError(f"the SMS gateway refused {to!r}: {answer.text[:200]}", permanent=True)
        if not answer.ok:
            raise DeliveryError(f"SMS gateway answered {answer.status_code}")
        try:
            return str(answer.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise DeliveryError("SMS gateway answered without a message id") from exc


class Channels:
    """The Channels port over SMTP and an SMS gateway."""

    def __init__(self, smtp: Smtp, sms: SmsGateway):
        self.smtp, self.sms = smtp, sms

    def send(self, channel: Channel, address: str, message: Message) -> str:
        if channel == Channel.EMAIL:
            return self.smtp.send(address, message)
        return self.sms.send(address, message.body, message.key)
