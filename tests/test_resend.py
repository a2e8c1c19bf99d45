"""One rule for the service-to-service clients on requests (foundation/resend.py): a GET that got no
answer at all is sent once more on a new connection; a time-out or any other method is never sent twice.
Here against real sockets: a server that closes the first request on each connection unanswered, and one
that never answers."""
from __future__ import annotations

import pytest
import requests

from foundation import resend
from fragments.customers.published.reader_v1 import CustomersApi, CustomersUnavailable
from tests.support.closing_server import closing_first_requests, never_answering

BODY = b'{"id": 7, "first_name": "Ada"}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(BODY)).encode()
          + b"\r\nConnection: close\r\n\r\n" + BODY)


def counted(session: requests.Session) -> list[str]:
    sent, send = [], session.request
    session.request = lambda method, url, **kwargs: sent.append(method) or send(method, url, **kwargs)  # type: ignore[method-assign]
    return sent


def test_a_get_that_got_no_answer_is_sent_once_more():
    with closing_first_requests(ANSWER) as (base, seen), requests.Session() as session:
        assert resend.request(session, "GET", f"{base}/customers/7", timeout=5).json() == {"id": 7, "first_name": "Ada"}
    assert seen == ["GET /customers/7 HTTP/1.1"] * 2


def test_a_post_that_got_no_answer_is_not_sent_again():
    with closing_first_requests(ANSWER) as (base, seen), requests.Session() as session:
        with pytest.raises(requests.ConnectionError):
            resend.request(session, "POST", f"{base}/customers/7/contracts", data={"plan_id": "1"}, timeout=5)
    assert seen == ["POST /customers/7/contracts HTTP/1.1"]


def test_a_get_that_timed_out_is_not_sent_again():
    with never_answering() as base, requests.Session() as session:
        sent = counted(session)
        with pytest.raises(requests.ReadTimeout):
            resend.request(session, "GET", f"{base}/customers/7", timeout=(1.0, 0.2))
    assert sent == ["GET"]


def test_the_customers_api_reader_follows_the_rule():
    with closing_first_requests(ANSWER) as (base, seen):
        api = CustomersApi(base, lambda: "t")
        assert api.get("/customers/7") == {"id": 7, "first_name": "Ada"}
        api.close()
    assert seen == ["GET /api/v1/customers/7 HTTP/1.1"] * 2
    with never_answering() as base:
        api = CustomersApi(base, lambda: "t", timeout=0.2)
        sent = counted(api.http)
        with pytest.raises(CustomersUnavailable, match="ReadTimeout"):
            api.get("/customers/7")
        api.close()
    assert sent == ["GET"]
