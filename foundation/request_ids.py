"""The request id carried from the shell through fragments, the bridge and the workers into every log
line: an incoming `X-Request-ID` that looks like one (8-64 of `A-Za-z0-9._-`) is kept, otherwise one is
made; it lives in a context variable that our HTTP clients forward and log records show (`rid=`)."""
from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str | None] = ContextVar("sysops_request_id", default=None)


def current() -> str | None:
    return _current.get()


def begin(request_id: str | None = None) -> str:
    """Make `request_id` (or a new one) the current one; returns it (workers call it per step)."""
    value = request_id if request_id and _ACCEPTED.fullmatch(request_id) else uuid.uuid4().hex[:16]
    _current.set(value)
    return value


def end() -> None:
    _current.set(None)


def forwarded() -> dict[str, str]:
    """The header to send on a call made for the current request (none outside one)."""
    value = _current.get()
    return {HEADER: value} if value else {}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True


def configure_logging(process: str) -> None:
    """Log lines of a process of ours: time, process, level, request id, message."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(f"%(asctime)s {process} %(levelname)s rid=%(request_id)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
