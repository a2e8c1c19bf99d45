"""A page's slot fetches, sent and read by the request's own thread (ADR 0045).

While a page's template renders, each slot's GET is written at once on a kept-alive connection to its
fragment. The fragments work on their answers in parallel while the page goes on rendering. The answers
are read when the page is assembled, in slot order, each within what is left of its own time-out and of
the first-paint budget; the answers read later have been waiting in their sockets meanwhile. No other
thread takes part: a pool of fetch threads cost the shell a third of its CPU per page, in hand-offs
between threads, and each hand-off waited for a core on a busy machine.

The standard library's http.client does the HTTP: it writes a request and reads the answer as two
separate steps, which urllib3's pool (the proxy's client) does not offer.

A GET that got no answer at all (its connection was closed as it was used: a kept-alive connection whose
server had just let it go) is sent once more on a new connection, as `FragmentRegistry.send` does. A
connection is kept only while it is younger than the fragments' keep-alive (gunicorn's 2 s).

The time-outs are the fragment's, not the page's own work: an answer that is already in its socket when
the page comes to read it is used, however long the page took to get there (a first render compiling
its templates on a busy machine, say). A slot with nothing arrived yet is judged by what ended first,
however late the page asks: the page's budget (it is left to htmx after the page) or its own time-out
(its fallback).
"""
from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from concurrent.futures import TimeoutError as Pending
from typing import Callable
from urllib.parse import urlsplit

import urllib3

from .registry import CONNECT_TIMEOUT_S, FragmentResponse, FragmentUnavailable

KEEP_IDLE_S = 1.5  # below gunicorn's keep-alive (2 s): an older connection may be closing as it is reused
MOST_IDLE = 32  # per fragment
# How long the rest of an answer that has begun to arrive may take once its slot's time is up.
ARRIVING_S = 0.05
# No answer on the connection: nothing was acted on, so a GET may go once more (a refusal is an answer).
NO_ANSWER = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

Origin = tuple[str, int]


class Connections:
    """Idle kept-alive connections to each fragment; one in use belongs to one slot request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._idle: dict[Origin, list[tuple[http.client.HTTPConnection, float]]] = {}
        self._lock = threading.Lock()

    def take(self, origin: Origin) -> http.client.HTTPConnection:
        now = self._clock()
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                connection, since = idle.pop()
                if now - since < KEEP_IDLE_S:
                    return connection
                connection.close()
        return http.client.HTTPConnection(*origin, timeout=CONNECT_TIMEOUT_S)

    def close(self) -> None:
        """Close every idle connection (those in use close as their requests end)."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection, _ in connections:
                connection.close()

    def give_back(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        if connection.sock is None:  # the answer said it would close
            return
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MOST_IDLE:
                idle.append((connection, self._clock()))
                return
        connection.close()


class SlotRequest:
    """One slot's GET, written now; `result` reads its answer (as a Future's would, once)."""

    def __init__(self, connections: Connections, name: str, url: str, headers: dict[str, str], timeout_s: float,
                 clock: Callable[[], float] = time.monotonic):
        parts = urlsplit(url)
        self._connections, self._name, self._clock = connections, name, clock
        self._origin: Origin = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._target = parts.path + (f"?{parts.query}" if parts.query else "")
        self._headers = headers
        self._deadline = clock() + timeout_s
        self._outcome: FragmentResponse | BaseException | None = None
        self._connection: http.client.HTTPConnection | None = None
        self._unsent: OSError | None = None
        self._send()

    def _send(self) -> None:
        self._connection = self._connections.take(self._origin)
        self._connection.timeout = CONNECT_TIMEOUT_S  # to connect, if it must, and to write
        if self._connection.sock is not None:  # kept alive: its socket still has the last read's time-out
            self._connection.sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            self._connection.request("GET", self._target, headers=self._headers)
            self._unsent = None
        except OSError as exc:
            self._unsent = exc

    def result(self, budget_ends: float | None = None) -> FragmentResponse:
        """The answer. Raises concurrent.futures.TimeoutError when nothing has arrived by `budget_ends` (the
        end of the page's first-paint budget, on this request's clock) and the budget ended before the
        slot's own time-out (the request is abandoned; htmx loads the slot after the page), however late
        the page asks; FragmentUnavailable when the fragment failed: refused, answered 5xx, gave no answer
        twice, or nothing arrived within its time-out, which ended first."""
        if self._outcome is None:
            try:
                self._outcome = self._read(budget_ends)
            except (Pending, FragmentUnavailable) as exc:
                self._outcome = exc
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def abandon(self) -> None:
        """Never to be read (the page did not place its slot, or was not sent whole): let it go."""
        if self._outcome is None and self._connection is not None:
            self._connection.close()
            self._outcome = FragmentUnavailable(f"{self._name}: not read")

    def _read(self, budget_ends: float | None) -> FragmentResponse:
        try:
            return self._answer(budget_ends)
        except NO_ANSWER:
            self._send()  # nothing was answered: once more, on a new connection
        try:
            return self._answer(budget_ends)
        except NO_ANSWER as exc:
            raise FragmentUnavailable(f"{self._name}: {exc.__class__.__name__}") from exc

    def _answer(self, budget_ends: float | None) -> FragmentResponse:
        """The answer on the current connection; NO_ANSWER errors are raised as they are (the connection
        closed), for `_read` to decide on sending once more."""
        assert self._connection is not None
        try:
            if self._unsent is not None:
                raise self._unsent
            ends = self._deadline if budget_ends is None else min(self._deadline, budget_ends)
            wait = ends - self._clock()
            assert self._connection.sock is not None
            if wait <= 0:  # the page comes late: only an answer already arriving is taken
                if not select.select([self._connection.sock], [], [], 0)[0]:
                    raise socket.timeout()
                wait = ARRIVING_S
            self._connection.sock.settimeout(wait)
            answer = self._connection.getresponse()
            body = answer.read()
        except socket.timeout:
            self._connection.close()
            if budget_ends is not None and budget_ends < self._deadline:
                raise Pending() from None  # the budget ended first, not the slot's time-out: htmx loads it after
            raise FragmentUnavailable(f"{self._name}: timed out") from None
        except NO_ANSWER:
            self._connection.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            self._connection.close()
            raise FragmentUnavailable(f"{self._name}: {exc.__class__.__name__}") from exc
        self._connections.give_back(self._origin, self._connection)
        if answer.status >= 500:
            raise FragmentUnavailable(f"{self._name}: answered {answer.status}")
        return FragmentResponse(answer.status, body, urllib3.HTTPHeaderDict(answer.getheaders()))
