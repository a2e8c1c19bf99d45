"""The way in once the identity service owns accounts and sign-in (ADR 0032): the shell keeps no
session of its own then. It asks the identity service who the session cookie names (`/auth/session`)
and for each fragment's user token (`/auth/fragment/<name>`), and passes the sign-in, sign-out and
password pages through to it, same origin, cookies and all.

Which side signs people in is the `accounts` part's owner (part_owners), read at most every few seconds
per process: a cut-over or a rollback (`sysops accounts cutover|rollback`) switches every shell within
that time, and at once for a sign-in page and for a request that carries the other side's sign-in alone.
Answers are kept briefly per session, so a page and its fragment requests ask once: who the session is
for 2 s (a sign-out through this shell forgets it at once; elsewhere it takes effect within
those 2 s), a fragment's token for half its 60 s life (a token is valid for its life anyway). When the
identity service cannot answer (its store failing over, a restart), a session this shell saw in the
last minute keeps working on what it was last told, and its tokens until they run out: nobody is
thrown out of a page by a blip; someone not seen lately gets "sign-in not available".
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import urllib3
from flask import Response, current_app, request

from .composition.registry import CONNECT_TIMEOUT_S, FragmentRegistry, FragmentUnavailable

log = logging.getLogger(__name__)
IDENTITY = "identity"  # its name among the fragments the shell knows (SYSOPS_FRAGMENTS)
SESSION_COOKIE = "sysops_session"
OWNER_KEPT_S = 5.0
PERSON_KEPT_S = 2.0
PERSON_STALE_S = 60.0  # how long a known session rides out the identity service not answering
TOKEN_KEPT_S = 30.0
TOKEN_USABLE_S = 50.0  # a kept token is still used while the identity service does not answer (it lives 60 s)
READ_TIMEOUT_S = 3.0
PAGE_TIMEOUT_S = 15.0  # a sign-in hashes a password: never cut short like a slot
KEEP = 4096
# What passes between the browser and the identity service's pages, each way.
ASKED = ("Content-Type", "Accept", "Accept-Language", "Cookie", "X-CSRF-Token", "HX-Request")
ANSWERED = ("Content-Type", "Location", "Retry-After", "Cache-Control", "Clear-Site-Data")


@dataclass(frozen=True)
class Person:
    """Who is signed in, as the identity service says: what the screens and the access rules read."""

    id: int
    username: str
    role: str
    display_name: str
    customer_id: int | None
    expert_id: int | None
    csrf: str


class FrontDoor:
    def __init__(self, registry: FragmentRegistry, owner: Callable[[], str], *, now: Callable[[], float] = time.monotonic):
        self._registry = registry
        self._owner = owner
        self._now = now
        self._owner_seen: tuple[bool, float] | None = None
        # session digest -> (person or None, fresh until, usable until); (digest, fragment) -> (token, same)
        self._people: OrderedDict[str, tuple[Person | None, float, float]] = OrderedDict()
        self._tokens: OrderedDict[tuple[str, str], tuple[str, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, *, fresh: bool = False) -> bool:
        """Whether the identity service signs people in now, as read at most OWNER_KEPT_S ago (`fresh`: read
        now, and kept from now)."""
        now = self._now()
        seen = self._owner_seen
        if fresh or seen is None or now - seen[1] >= OWNER_KEPT_S:
            seen = (IDENTITY in self._registry and self._owner() == IDENTITY, now)
            self._owner_seen = seen
        return seen[0]

    def signs_in(self, *, sign_in_page: bool, identity_cookie: bool, legacy_session: Callable[[], bool]) -> bool:
        """Whether the identity service signs this request's person in. Read again at once, not as last
        read, for a sign-in page (its form and the answer to it come from the same side, whichever process
        serves each) and for a request that carries the other side's sign-in alone (a cut-over or a rollback
        within the last OWNER_KEPT_S: a person just signed in is not sent back to sign in by a process
        that has not read it yet). `legacy_session` is asked only where it decides (reading the monolith's
        session cookie marks its answer as varying with the cookie)."""
        identity = self.open(fresh=sign_in_page)
        if not sign_in_page and identity != identity_cookie and identity_cookie != legacy_session():
            identity = self.open(fresh=True)
        return identity

    def person(self, session_id: str | None) -> Person | None:
        if not session_id or len(session_id) > 128:
            return None
        key = _digest(session_id)
        now = self._now()
        with self._lock:
            kept = self._people.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        answer = self._answered("/auth/session", session_id)
        if answer is None:
            if kept is not None and kept[0] is not None and kept[2] > now:
                log.warning("identity service not answering: a session seen lately goes on as it was")
                return kept[0]
            raise FragmentUnavailable("identity: /auth/session not answered")
        if answer.status not in (200, 401):
            raise FragmentUnavailable(f"identity: /auth/session answered {answer.status}")
        person = None
        if answer.status == 200:
            fields = json.loads(answer.data)
            person = Person(int(fields["id"]), fields["username"], fields["role"], fields["display_name"],
                            fields.get("customer_id"), fields.get("expert_id"), fields["csrf"])
        self._keep(self._people, key, (person, now + PERSON_KEPT_S, now + PERSON_STALE_S))
        return person

    def token(self, session_id: str, fragment: str) -> str:
        """The session's user token meant for `fragment` alone."""
        key = (_digest(session_id), fragment)
        now = self._now()
        with self._lock:
            kept = self._tokens.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        answer = self._answered(f"/auth/fragment/{fragment}", session_id)
        if answer is None:
            if kept is not None and kept[2] > now:
                return kept[0]
            raise FragmentUnavailable(f"identity: no token for {fragment}: not answered")
        if answer.status != 204:  # the session ended there: nothing kept of it is used again
            self.forget(session_id)
            raise FragmentUnavailable(f"identity: no token for {fragment} ({answer.status})")
        token = answer.headers["X-Fragment-Token"]
        self._keep(self._tokens, key, (token, now + TOKEN_KEPT_S, now + TOKEN_USABLE_S))
        return token

    def forget(self, session_id: str | None) -> None:
        if session_id:
            key = _digest(session_id)
            with self._lock:
                self._people.pop(key, None)
                for kept in [k for k in self._tokens if k[0] == key]:
                    del self._tokens[kept]

    def forward(self, path: str) -> Response:
        """This request, passed to the identity service's page at `path`; its answer, cookies and all."""
        headers = {name: request.headers[name] for name in ASKED if name in request.headers}
        headers["X-Forwarded-For"] = request.remote_addr or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        query = request.query_string.decode("latin-1")
        try:
            answer = self._registry.send(
                request.method, self._registry.bases[IDENTITY] + path + (f"?{query}" if query else ""),
                headers=headers, body=request.get_data() or None,
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=PAGE_TIMEOUT_S))
        except urllib3.exceptions.HTTPError as exc:
            raise FragmentUnavailable(f"identity: {exc.__class__.__name__}") from exc
        response = Response(answer.data, answer.status)
        for name in ANSWERED:
            if name in answer.headers:
                response.headers[name] = answer.headers[name]
        for cookie in answer.headers.getlist("Set-Cookie"):
            response.headers.add("Set-Cookie", cookie)
        return response

    def _answered(self, path: str, session_id: str):
        """The identity service's answer about this session, or None if it did not answer (no connection,
        a time-out, or a 5xx: its store away); only then may a kept answer stand in."""
        try:
            answer = self._registry.send(
                "GET", self._registry.bases[IDENTITY] + path, headers={"Cookie": f"{SESSION_COOKIE}={session_id}"},
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S))
        except urllib3.exceptions.HTTPError as exc:
            log.warning("identity service not reached: %s", exc.__class__.__name__)
            return None
        return None if answer.status >= 500 else answer

    def _keep(self, table: OrderedDict, key, entry: tuple) -> None:
        with self._lock:
            table[key] = entry
            table.move_to_end(key)
            while len(table) > KEEP:
                table.popitem(last=False)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def install(app, owner: Callable[[], str]) -> None:
    """`owner`: who owns the accounts part now ("identity" or "legacy"; the monolith reads its part_owners
    table, the composition shell knows it is the identity service)."""
    app.extensions["front_door"] = FrontDoor(app.extensions["fragments"], owner)


def front_door() -> FrontDoor:
    return current_app.extensions["front_door"]


def session_cookie() -> str | None:
    return request.cookies.get(SESSION_COOKIE)
