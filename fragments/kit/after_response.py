"""Work that follows an answer: handed to a small pool of background threads once the response has
been written (the WSGI server closes the response, which calls what was registered with
`call_on_close`), so the person sees "done" at once, and the connection is free for the next request
while the rest runs.

Only for work that a durable path also finishes if this process dies first (the ticketing worker's
follow-up sweep): after-response work is fast, never the only way. Tests may put an executor that
runs the work at once in `app.extensions["after_response"]`.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from flask import after_this_request, current_app

from foundation import request_ids

log = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-response")


def after_response(work: Callable[[], None]) -> None:
    """Run `work` in the background once the current response has been sent; a failure is logged."""
    request_id = request_ids.current()
    executor = current_app.extensions.get("after_response", _POOL)

    def run() -> None:
        request_ids.begin(request_id)  # its bridge calls and log lines carry the request's id
        try:
            work()
        except Exception:  # noqa: BLE001 - the answer is gone; the durable path will finish it
            log.exception("after-response work failed; the worker's sweep will finish it")
        finally:
            request_ids.end()

    @after_this_request
    def register(response):
        response.call_on_close(lambda: executor.submit(run))
        return response
