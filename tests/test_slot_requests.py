"""Slot fetches sent and read by the request's own thread (shell_app/composition/slot_requests.py,
ADR 0045), against fragments served over real HTTP on this machine: every request is written before
any answer is read, kept-alive connections are reused while young, a GET that got no answer goes once
more, and the page's budget and the slot's time-out end a wait differently."""
from __future__ import annotations

import threading
import time
from concurrent.futures import TimeoutError as Pending
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shell_app.composition.registry import FragmentUnavailable
from shell_app.composition.slot_requests import KEEP_IDLE_S, Connections, SlotRequest

from .support.clock import Clock


class Fragment:
    """A fragment's stand-in on the standard library's HTTP server, keeping connections open between
    requests as gunicorn does (werkzeug's development server closes each)."""

    def __init__(self, together: int = 3):
        self.all_arrived = threading.Barrier(together)
        self.release = threading.Event()
        self.answered = threading.Event()  # an answer to /status/... was written
        self.ports: list[int] = []
        fragment = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - the standard library's name
                path, _, query = self.path.partition("?")
                status, body = 200, b""
                if path == "/together":  # answers only once every request of the page has arrived
                    fragment.all_arrived.wait(timeout=10)
                    body = f"<p>{query.split('=')[1]}</p>".encode()
                elif path == "/held":
                    fragment.release.wait(timeout=10)
                    body = b"<p>late</p>"
                elif path.startswith("/status/"):
                    fragment.ports.append(self.client_address[1])
                    status, body = int(path.rsplit("/", 1)[1]), b"<p>answer</p>"
                self.send_response(status)
                # Header names in lower case, as HTTP/2 and some servers send them (RFC 9110: any case).
                self.send_header("content-type" if path == "/lower" else "Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the shell let the request go (past its budget)
                if path.startswith("/status/"):
                    fragment.answered.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def connections():
    kept = Connections()
    yield kept
    kept.close()


@pytest.fixture
def fragment():
    served = Fragment()
    yield served
    served.release.set()
    served.server.shutdown()
    served.server.server_close()


def test_every_request_is_written_before_any_answer_is_read(fragment, connections):
    sent = [SlotRequest(connections, "f", f"{fragment.url}/together?n={n}", {}, 5.0) for n in range(3)]
    # The fragment answers none until all three have arrived: had a request waited for the one before
    # it to be read, the barrier would have broken and each would be a 500.
    assert [s.result(budget_ends=time.monotonic() + 5).body for s in reversed(sent)] == [b"<p>2</p>", b"<p>1</p>", b"<p>0</p>"]


def test_a_kept_alive_connection_is_used_again_while_young_and_not_after(fragment):
    clock = Clock(1000.0)
    connections = Connections(clock=clock)
    for _ in range(2):
        answer = SlotRequest(connections, "f", f"{fragment.url}/status/200", {"Accept": "text/html"}, 5.0).result()
        assert answer.status == 200 and answer.body == b"<p>answer</p>"
    assert fragment.ports[0] == fragment.ports[1]  # the same connection
    clock.advance(seconds=KEEP_IDLE_S)  # as old as the fragment's keep-alive allows: it may be closing
    SlotRequest(connections, "f", f"{fragment.url}/status/200", {}, 5.0).result()
    assert fragment.ports[2] != fragment.ports[1]
    connections.close()


def test_an_answer_that_is_not_a_failure_is_the_fragments_and_a_5xx_is_a_failure(fragment, connections):
    assert SlotRequest(connections, "f", f"{fragment.url}/status/404", {}, 5.0).result().status == 404
    failed = SlotRequest(connections, "f", f"{fragment.url}/status/503", {}, 5.0)
    with pytest.raises(FragmentUnavailable, match="answered 503"):
        failed.result()
    with pytest.raises(FragmentUnavailable):  # read once: the same outcome again
        failed.result()


def test_a_get_that_got_no_answer_goes_once_more_on_a_new_connection():
    from tests.support.closing_server import closing_first_requests

    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\n<p>ok</p>"
    with closing_first_requests(answer) as (url, seen):
        got = SlotRequest(Connections(), "f", f"{url}/customers/7", {}, 5.0).result()
    assert got.status == 200 and got.body == b"<p>ok</p>"
    assert seen == ["GET /customers/7 HTTP/1.1", "GET /customers/7 HTTP/1.1"]


def test_a_fragment_that_refuses_is_a_failure_at_once():
    import socket

    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()  # nothing listens there
    with pytest.raises(FragmentUnavailable, match="ConnectionRefusedError"):
        SlotRequest(Connections(), "f", f"http://127.0.0.1:{port}/x", {}, 5.0).result()


def test_past_the_budget_the_slot_is_left_for_later_and_past_its_own_time_out_it_failed(fragment, connections):
    with pytest.raises(Pending):  # the page's budget ends first: htmx loads the slot after the page
        SlotRequest(connections, "f", f"{fragment.url}/held", {}, 5.0).result(budget_ends=time.monotonic() + 0.05)
    with pytest.raises(FragmentUnavailable, match="timed out"):  # the slot's own time-out ends first: fallback
        SlotRequest(connections, "f", f"{fragment.url}/held", {}, 0.05).result(budget_ends=time.monotonic() + 5)
    fragment.release.set()
    assert SlotRequest(connections, "f", f"{fragment.url}/held", {}, 5.0).result().body == b"<p>late</p>"


def test_an_answer_that_arrived_in_time_is_used_however_late_the_page_reads_it(fragment):
    """The page's own work (a first render compiling its templates on a busy machine) may outlast a
    slot's time-out and the budget: an answer already in the socket is the slot's, not a time-out."""
    clock, connections = Clock(1000.0), Connections()
    sent = SlotRequest(connections, "f", f"{fragment.url}/status/200", {}, 0.4, clock=clock)
    held = SlotRequest(connections, "f", f"{fragment.url}/held", {}, 0.4, clock=clock)
    fragment.answered.wait(timeout=10)  # the first answer is written; the page is still busy
    clock.advance(seconds=5)
    assert sent.result(budget_ends=1000.1).body == b"<p>answer</p>"
    with pytest.raises(FragmentUnavailable, match="timed out"):  # nothing arrived, its time-out ended first
        held.result(budget_ends=1002.5)
    connections.close()


def test_a_slot_whose_budget_ended_before_its_time_out_is_left_for_later_however_late_the_page_reads_it(fragment):
    """A budget below the slot's time-out (100 against 400 ms), and a page whose own work outlasted both:
    nothing has arrived, and at the budget's end the slot had not failed, so htmx loads it after the page
    (its fallback was painted instead: the CI failure of test_composition's budget test)."""
    clock, connections = Clock(1000.0), Connections()
    held = SlotRequest(connections, "f", f"{fragment.url}/held", {}, 0.4, clock=clock)
    clock.advance(seconds=5)
    with pytest.raises(Pending):
        held.result(budget_ends=1000.1)
    connections.close()


def test_a_request_the_page_never_reads_is_let_go(fragment):
    sent = SlotRequest(Connections(), "f", f"{fragment.url}/held", {}, 5.0)
    sent.abandon()
    with pytest.raises(FragmentUnavailable, match="not read"):
        sent.result()


def test_header_names_are_read_in_any_case(fragment, connections):
    answer = SlotRequest(connections, "f", f"{fragment.url}/lower", {}, 5.0).result()
    assert answer.headers["Content-Type"] == "text/html" and answer.headers.get("CONTENT-TYPE") == "text/html"
