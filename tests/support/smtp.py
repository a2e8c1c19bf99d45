"""A real local SMTP server (aiosmtpd) that records what it receives, and can stall on demand."""
from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes

from aiosmtpd.controller import Controller

from .processes import free_port


class RecordingHandler:
    def __init__(self, stall_first: bool = False):
        self.messages: list = []
        self.stall_first = stall_first
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall_first and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(3600)  # hold the sender mid-transaction until it is killed
            return "451 Try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, stall_first: bool = False, port: int | None = None):
        self.handler = RecordingHandler(stall_first)
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list:
        return self.handler.messages

    def wait_for(self, count: int, timeout: float = 15.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
