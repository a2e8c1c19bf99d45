"""The customers service's API as other services call it (fragments/customers/published/reader_v1.py):
a GET that got no answer at all is asked once more on a new connection, one that timed out is not."""
from __future__ import annotations

import socket
import threading

import pytest

from fragments.customers.published.reader_v1 import CustomersApi, CustomersUnavailable
from tests.support.closing_server import closing_first_requests


def test_a_get_the_service_closed_unanswered_is_asked_once_more():
    body = b'{"id": 7, "first_name": "Ada"}'
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
              + b"\r\nConnection: close\r\n\r\n" + body)
    with closing_first_requests(answer) as (base, seen):
        api = CustomersApi(base, lambda: "t")
        assert api.get("/customers/7") == {"id": 7, "first_name": "Ada"}
        api.close()
    assert seen == ["GET /api/v1/customers/7 HTTP/1.1"] * 2


def test_a_get_that_timed_out_is_not_asked_again():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    done = threading.Event()

    def hold() -> None:  # reads each request and never answers, until the test ends
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            held.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    api = CustomersApi(f"http://127.0.0.1:{listener.getsockname()[1]}", lambda: "t", timeout=0.2)
    sent, send = [], api.http.get
    api.http.get = lambda *args, **kwargs: sent.append(args[0]) or send(*args, **kwargs)  # type: ignore[method-assign]
    try:
        with pytest.raises(CustomersUnavailable, match="ReadTimeout"):
            api.get("/customers/7")
        assert len(sent) == 1
    finally:
        done.set()
        api.close()
        listener.close()
        for conn in held:
            conn.close()
