"""Token exchange, in the spirit of RFC 8693: a fragment that must call another fragment as the user
trades the user token it was given (meant for itself alone) for one meant for that other fragment,
at the issuer of user tokens, and only where the user's role needs that call.

The caller proves who it is with its own service token (the actor token, meant for `tokens`); the
user token it trades (the subject token) must be meant for that same fragment, so a fragment can
trade only what was sent to it. The new token names the same user, role, customer or expert and
CSRF digest, is meant for the target fragment alone, says who asked (`act`, RFC 8693 section 4.1)
and lives no longer than the token it replaces (at most `EXCHANGED_TTL_S`).

`MAY_ACT` is the whole policy: which fragment may act as which role at which other fragments. Every
other exchange is refused, and a refusal says why (`ExchangeRefused.error`: the RFC's error codes).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Mapping

import requests
from flask import Blueprint, jsonify, request

from .keys import PublicKeys
from .problems import Problem, from_problem
from .tokens import Principal, TokenError, TokenSigner, TokenVerifier

log = logging.getLogger(__name__)
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
AUDIENCE = "tokens"  # what an actor token is meant for: the issuer's exchange
EXCHANGED_TTL_S = 60
# fragment -> role -> the fragments it may call as a user of that role. An expert's day reads and
# changes their tickets in ticketing and reads articles in the knowledge base; nobody else's screens
# call another fragment as the user.
MAY_ACT: Mapping[str, Mapping[str, frozenset[str]]] = {
    "experts": {"expert": frozenset({"ticketing", "knowledge"})}}


class ExchangeRefused(Exception):
    """`error` is the RFC 6749/8693 code: invalid_request, invalid_client, invalid_grant, invalid_target."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


def fragment_of(audience: str) -> str | None:
    return audience.removeprefix("fragment:") if audience.startswith("fragment:") else None


class Exchange:
    """The issuer's side: checks an exchange and mints its token."""

    def __init__(self, signer: TokenSigner, verifier_for: Callable[[str], TokenVerifier],
                 may_act: Mapping[str, Mapping[str, frozenset[str]]] = MAY_ACT, now: Callable[[], float] = time.time):
        self._signer = signer
        self._verifier_for = verifier_for  # audience -> a verifier of tokens meant for it
        self._may_act = may_act
        self._now = now

    @classmethod
    def over_keys(cls, signer: TokenSigner, public_keys: Path) -> "Exchange":
        """An issuer's exchange verifying with the installation's public key file: one verifier per
        audience, kept (the audiences it asks for are `tokens` and a verified service's own)."""
        keys = PublicKeys(public_keys)
        verifiers: dict[str, TokenVerifier] = {}
        lock = threading.Lock()

        def verifier_for(audience: str) -> TokenVerifier:
            with lock:
                if audience not in verifiers:
                    verifiers[audience] = TokenVerifier(audience, keys)
                return verifiers[audience]
        return cls(signer, verifier_for)

    def exchange(self, *, grant_type: str, subject_token: str, subject_token_type: str, actor_token: str,
                 actor_token_type: str, audience: str) -> tuple[str, int]:
        """The new token and its lifetime in seconds, or ExchangeRefused."""
        if grant_type != GRANT_TYPE:
            raise ExchangeRefused("unsupported_grant_type", "only the token-exchange grant is offered here")
        if subject_token_type != JWT_TYPE or actor_token_type != JWT_TYPE:
            raise ExchangeRefused("invalid_request", "the subject and actor tokens must both be JWTs")
        if not subject_token or not actor_token or not audience:
            raise ExchangeRefused("invalid_request", "subject_token, actor_token and audience are required")
        try:
            actor = self._verifier_for(AUDIENCE).verify(actor_token)
        except TokenError as exc:
            raise ExchangeRefused("invalid_client", f"actor token: {exc}") from exc
        if not actor.is_service:
            raise ExchangeRefused("invalid_client", "the actor token must name a service")
        try:
            subject = self._verifier_for(f"fragment:{actor.subject}").verify(subject_token)
        except TokenError as exc:
            raise ExchangeRefused("invalid_grant", f"subject token (it must be meant for {actor.subject}): {exc}") from exc
        if subject.is_service:
            raise ExchangeRefused("invalid_grant", "only a user's token is exchanged")
        target = fragment_of(audience)
        allowed = self._may_act.get(actor.subject, {}).get(subject.role or "", frozenset())
        if target is None or target not in allowed:
            raise ExchangeRefused("invalid_target", f"{actor.subject} may not call {audience} as a {subject.role}")
        left = (subject.expires_at or 0) - int(self._now())
        if left <= 0:
            raise ExchangeRefused("invalid_grant", "subject token expired")
        ttl = min(EXCHANGED_TTL_S, left)
        principal = Principal("user", subject.subject, subject.role, subject.customer_id, subject.expert_id,
                              subject.csrf_digest)
        log.info("token exchanged: %s as %s %s for %s, %d s", actor.subject, subject.role, subject.subject, audience, ttl)
        return self._signer.mint(principal, audience, ttl=ttl, actor=actor.subject), ttl


class ExchangeUnavailable(Exception):
    """The issuer did not answer, or refused (then `refused` holds its error code)."""

    def __init__(self, message: str, refused: str | None = None):
        super().__init__(message)
        self.refused = refused


class ExchangeClient:
    """A fragment's side: trades the user's token for one meant for `audience`, each trade kept (per
    token and audience) until shortly before it runs out, so a page calling ticketing five times asks
    the issuer once."""

    def __init__(self, url: str, actor_token: Callable[[], str], *, timeout: float = 5.0, keep: int = 1024,
                 now: Callable[[], float] = time.time):
        self.url = url
        self._actor_token = actor_token
        self._timeout = timeout
        self._keep = keep
        self._now = now
        self._kept: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.http = requests.Session()
        self.http.trust_env = False

    def token_for(self, subject_token: str, audience: str) -> str:
        key = (subject_token, audience)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[1] > self._now():
                self._kept.move_to_end(key)
                return kept[0]
        try:
            answer = self.http.post(self.url, timeout=(1.0, self._timeout), data={
                "grant_type": GRANT_TYPE, "subject_token": subject_token, "subject_token_type": JWT_TYPE,
                "actor_token": self._actor_token(), "actor_token_type": JWT_TYPE, "audience": audience})
        except requests.RequestException as exc:
            raise ExchangeUnavailable(f"the token issuer is not answering ({exc.__class__.__name__})") from exc
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code != 200 or not isinstance(body.get("access_token"), str):
            raise ExchangeUnavailable(f"the token issuer refused: {body.get('detail') or answer.reason}",
                                      refused=body.get("error"))
        token = body["access_token"]
        with self._lock:
            self._kept[key] = (token, self._now() + max(0, int(body.get("expires_in", 0)) - 5))
            while len(self._kept) > self._keep:
                self._kept.popitem(last=False)
        return token


def blueprint(exchange: Callable[[], Exchange]) -> Blueprint:
    """`POST /tokens/v1/exchange` (form fields as RFC 8693 names them), for the issuer to mount as a
    published API: the actor token is the authentication, no session or CSRF applies."""
    bp = Blueprint("token_exchange", __name__, url_prefix="/tokens/v1")

    @bp.post("/exchange")
    def exchange_token():
        form = request.form
        try:
            token, ttl = exchange().exchange(
                grant_type=form.get("grant_type", ""), subject_token=form.get("subject_token", ""),
                subject_token_type=form.get("subject_token_type", ""), actor_token=form.get("actor_token", ""),
                actor_token_type=form.get("actor_token_type", ""), audience=form.get("audience", ""))
        except ExchangeRefused as refused:
            log.warning("token exchange refused (%s): %s", refused.error, refused.description)
            status = 401 if refused.error == "invalid_client" else 400
            raise Problem(status, "Exchange refused", refused.description, kind="token-exchange-refused",
                          error=refused.error) from refused
        response = jsonify(access_token=token, issued_token_type=JWT_TYPE, token_type="Bearer", expires_in=ttl)
        response.headers["Cache-Control"] = "no-store"
        return response

    bp.register_error_handler(Problem, from_problem)
    return bp
