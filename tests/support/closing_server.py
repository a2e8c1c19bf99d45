"""Servers on raw sockets for clients' failure cases: one that closes the first request on every
connection unanswered (a kept-alive connection closed by its server just as the client reuses it) and
answers the next one, and one that never answers."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def _serving(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A listener on a free local port, each accepted connection given to `handle`; its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            handle(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@contextmanager
def closing_first_requests(answer: bytes) -> Iterator[tuple[str, list[str]]]:
    """Its base URL and the request lines it saw, in order; every second request gets `answer` (a whole
    HTTP/1.1 response, best with `Connection: close`)."""
    seen: list[str] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            seen.append(conn.recv(65536).split(b"\r\n", 1)[0].decode())
            if len(seen) % 2 == 0:
                conn.sendall(answer)

    with _serving(handle) as base:
        yield base, seen


@contextmanager
def never_answering() -> Iterator[str]:
    """A server that reads each request and never answers, until the test ends."""
    held: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        conn.recv(65536)
        held.append(conn)

    try:
        with _serving(handle) as base:
            yield base
    finally:
        for conn in held:
            conn.close()
