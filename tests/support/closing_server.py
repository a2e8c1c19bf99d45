"""A server that closes the first request on every connection unanswered, as a kept-alive connection
closed by its server just as the client reuses it, and answers the next one (a new connection)."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def closing_first_requests(answer: bytes) -> Iterator[tuple[str, list[str]]]:
    """Its base URL and the request lines it saw, in order; every second request gets `answer` (a whole
    HTTP/1.1 response, best with `Connection: close`)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    seen: list[str] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                seen.append(conn.recv(65536).split(b"\r\n", 1)[0].decode())
                if len(seen) % 2 == 0:
                    conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", seen
    finally:
        listener.close()
