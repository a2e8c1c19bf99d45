"""Token exchange at the issuer of user tokens (foundation/exchange.py, ADR 0031): a fragment trades the
user token it was given for one meant for the fragment it must call as that user, only where the
user's role needs that call; every other exchange is refused and says why."""
from __future__ import annotations

import threading
import time

import jwt
import pytest
from werkzeug.serving import make_server

from foundation.exchange import AUDIENCE, GRANT_TYPE, JWT_TYPE, ExchangeClient, ExchangeUnavailable
from foundation.tokens import Principal, TokenError, TokenVerifier

from .support.keys import KEYS_DIR, mint

URL = "/tokens/v1/exchange"
EXPERT = Principal("user", "expert1", "expert", expert_id=11, csrf_digest="c" * 64)
STAFF = Principal("user", "callcentre", "call_centre", csrf_digest="d" * 64)
EXPERTS = Principal("service", "experts")


def form(subject: str | None, actor: str | None, audience: str = "fragment:ticketing", **changed: str) -> dict:
    fields = {"grant_type": GRANT_TYPE, "subject_token": subject, "subject_token_type": JWT_TYPE,
              "actor_token": actor, "actor_token_type": JWT_TYPE, "audience": audience, **changed}
    return {name: value for name, value in fields.items() if value is not None}


def test_an_experts_token_becomes_one_for_ticketing_alone_naming_the_same_expert(client):
    subject = mint(EXPERT, "fragment:experts", ttl=60)
    answer = client.post(URL, data=form(subject, mint(EXPERTS, AUDIENCE, ttl=60)))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["issued_token_type"] == JWT_TYPE and body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 60
    got = TokenVerifier.for_audience(KEYS_DIR, "fragment:ticketing").verify(body["access_token"])
    assert (got.kind, got.subject, got.role, got.expert_id, got.csrf_digest) == (
        "user", "expert1", "expert", 11, "c" * 64)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "fragment:ticketing" and claims["act"] == {"sub": "experts"} and claims["iss"] == "shell"
    for elsewhere in ("fragment:experts", "fragment:knowledge", "fragment:reports", "bridge"):
        with pytest.raises(TokenError):
            TokenVerifier.for_audience(KEYS_DIR, elsewhere).verify(body["access_token"])
    knowledge = client.post(URL, data=form(subject, mint(EXPERTS, AUDIENCE), "fragment:knowledge")).get_json()
    assert TokenVerifier.for_audience(KEYS_DIR, "fragment:knowledge").verify(knowledge["access_token"]).subject == "expert1"


def test_an_exchanged_token_lives_no_longer_than_the_one_it_replaces(client):
    issued = time.time() - 50
    subject = mint(EXPERT, "fragment:experts", ttl=60, now=lambda: issued)
    body = client.post(URL, data=form(subject, mint(EXPERTS, AUDIENCE))).get_json()
    assert body["expires_in"] <= 11
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] <= int(issued) + 60


REFUSED = {
    # what is sent -> (status, error)
    "a staff member's experts token, for ticketing": (
        lambda: form(mint(STAFF, "fragment:experts"), mint(EXPERTS, AUDIENCE)), 400, "invalid_target"),
    "an expert's, for a fragment their screens never call": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERTS, AUDIENCE), "fragment:reports"), 400, "invalid_target"),
    "an expert's, for something that is not a fragment": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERTS, AUDIENCE), "bridge"), 400, "invalid_target"),
    "a token meant for another fragment than the caller": (
        lambda: form(mint(EXPERT, "fragment:knowledge"), mint(EXPERTS, AUDIENCE)), 400, "invalid_grant"),
    "another service trading the experts fragment's token": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(Principal("service", "knowledge"), AUDIENCE)),
        400, "invalid_grant"),
    "a service's own token as the subject": (
        lambda: form(mint(EXPERTS, "fragment:experts"), mint(EXPERTS, AUDIENCE)), 400, "invalid_grant"),
    "a tampered subject token": (
        lambda: form(mint(EXPERT, "fragment:experts")[:-3] + "abc", mint(EXPERTS, AUDIENCE)), 400, "invalid_grant"),
    "an expired subject token": (
        lambda: form(mint(EXPERT, "fragment:experts", ttl=60, now=lambda: 1_000_000), mint(EXPERTS, AUDIENCE)),
        400, "invalid_grant"),
    "an actor token meant for the bridge": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERTS, "bridge")), 401, "invalid_client"),
    "a user's token as the actor": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERT, AUDIENCE)), 401, "invalid_client"),
    "no actor token": (lambda: form(mint(EXPERT, "fragment:experts"), None), 400, "invalid_request"),
    "no subject token": (lambda: form(None, mint(EXPERTS, AUDIENCE)), 400, "invalid_request"),
    "an opaque subject token type": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERTS, AUDIENCE),
                     subject_token_type="urn:ietf:params:oauth:token-type:access_token"), 400, "invalid_request"),
    "another grant": (
        lambda: form(mint(EXPERT, "fragment:experts"), mint(EXPERTS, AUDIENCE), grant_type="password"),
        400, "unsupported_grant_type"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_every_other_exchange_is_refused_with_its_reason(client, case):
    make, status, error = REFUSED[case]
    answer = client.post(URL, data=make())
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert problem["error"] == error and problem["detail"]
    assert "access_token" not in problem


def test_a_signed_in_browser_gets_nothing_from_the_exchange(client):
    """The session grants nothing here: only tokens count (and no CSRF token is asked for)."""
    page = client.get("/login").get_data(as_text=True)
    assert "csrf_token" in page
    answer = client.post(URL, data={"grant_type": GRANT_TYPE, "audience": "fragment:ticketing"})
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_request"


@pytest.fixture(scope="module")
def issuer(app):
    """The monolith serving over real HTTP, as the fragments reach it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{URL}"
    server.shutdown()
    thread.join(10)


def test_the_fragments_client_trades_once_per_token_and_audience(issuer):
    client = ExchangeClient(issuer, lambda: mint(EXPERTS, AUDIENCE))
    subject = mint(EXPERT, "fragment:experts", ttl=60)
    first = client.token_for(subject, "fragment:ticketing")
    assert client.token_for(subject, "fragment:ticketing") == first  # kept: a new trade has a new jti
    assert client.token_for(subject, "fragment:knowledge") != first
    assert client.token_for(mint(EXPERT, "fragment:experts", ttl=60), "fragment:ticketing") != first
    with pytest.raises(ExchangeUnavailable) as refused:
        client.token_for(mint(STAFF, "fragment:experts"), "fragment:ticketing")
    assert refused.value.refused == "invalid_target"


def test_an_issuer_that_does_not_answer_is_said_so():
    client = ExchangeClient("http://127.0.0.1:9/tokens/v1/exchange", lambda: mint(EXPERTS, AUDIENCE), timeout=1.0)
    with pytest.raises(ExchangeUnavailable) as unavailable:
        client.token_for(mint(EXPERT, "fragment:experts"), "fragment:ticketing")
    assert unavailable.value.refused is None
