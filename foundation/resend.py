"""One rule for our service-to-service HTTP clients on requests: a GET (or HEAD) that got no answer at
all is sent once more, on a new connection. No answer means the connection was closed as it was used (a
kept-alive connection its server had just let go: gunicorn's keep-alive is 2 s) or refused. A time-out is
not such a case: the service may still be working on it, and asking again would double the wait. Any other
method is never sent twice, because it may have been acted on.

The shell's clients follow the same rule: `FragmentRegistry.send` (urllib3) and the slot requests
(http.client).
"""
from __future__ import annotations

from typing import Any

import requests

ONCE_MORE = frozenset({"GET", "HEAD"})


def no_answer(exc: requests.RequestException) -> bool:
    return isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)


def request(session: requests.Session, method: str, url: str, **options: Any) -> requests.Response:
    """`session.request(method, url, **options)`, sent once more by the rule above."""
    try:
        return session.request(method, url, **options)
    except requests.RequestException as exc:
        if method.upper() not in ONCE_MORE or not no_answer(exc):
            raise
    return session.request(method, url, **options)
