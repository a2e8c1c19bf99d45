"""Zero trust at the bridge: every route, every principal, generated from the URL map."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bridge_api import PREFIX
from bridge_api.auth import ANY
from foundation.tokens import Principal

from .support.bridge import DOC, PRINCIPALS, BridgeCaller, template_for, validate
from .support.keys import forge, mint

SAMPLE = {"customer_id": 1, "expert_id": 1, "ticket_id": 1, "notification_id": 1, "article_id": 1,
          "product_id": 1, "kind": "customers", "record_id": 1, "account_id": 1}


def bridge_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        template = template_for(rule.rule[len(PREFIX):])
        url = rule.rule[len(PREFIX):]
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", str(SAMPLE[name])).replace(f"<{name}>", str(SAMPLE[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, template, url


def test_every_bridge_route_is_documented_and_every_documented_route_exists(app):
    served = {(template, method.lower()) for _e, method, template, _u in bridge_routes(app)}
    documented = {(path, method) for path, operations in DOC["paths"].items() for method in operations}
    assert served == documented


def test_every_route_declares_a_grant(app):
    for endpoint, _method, _template, _url in bridge_routes(app):
        assert hasattr(app.view_functions[endpoint], "bridge_grant"), endpoint


def bad_tokens() -> dict[str, str | None]:
    """One of each way a token can be wrong (tests/test_tokens.py has them one by one)."""
    service = Principal("service", "ticketing")
    other_installation = Ed25519PrivateKey.generate()
    return {
        "missing": None,
        "garbage": "not-a-token",
        "forged": mint(service, "bridge")[:-3] + "abc",
        "expired": mint(service, "bridge", ttl=60, now=lambda: 1_000_000),
        "other-audience": mint(service, "fragment:ticketing"),
        "other-installation": forge(signing_key=other_installation),
        "a-fragment-names-a-user": forge(issuer="experts"),
        "a-service-names-another": forge({"kind": "service", "sub": "backfill"}, issuer="reports"),
    }


@pytest.mark.parametrize("how", sorted(bad_tokens()))
def test_bad_tokens_get_401_problem_on_every_route(app, client, how):
    token = bad_tokens()[how]
    for _endpoint, method, template, url in bridge_routes(app):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.open(PREFIX + url, method=method, headers=headers, json={})
        assert response.status_code == 401, (how, method, url)
        validate(method, template, 401, response.get_json(), response.content_type)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_each_principal_is_admitted_exactly_where_granted(app, client, who):
    principal = PRINCIPALS[who]
    caller = BridgeCaller(client, app.extensions["token_signer"], principal)
    for endpoint, method, template, url in bridge_routes(app):
        roles, services = app.view_functions[endpoint].bridge_grant
        admitted = ANY in roles or (principal.is_service and principal.subject in services) or (
            not principal.is_service and principal.role in roles)
        response = caller.call(method, url, template, json={})
        if admitted:  # sample ids are the customer's and expert's own, so no ownership refusal either
            assert response.status_code not in (401, 403), (who, method, url, response.status_code)
        else:
            assert response.status_code == 403, (who, method, url, response.status_code)


def test_customer_tokens_read_only_their_own_customer(app, client):
    signer = app.extensions["token_signer"]
    own = BridgeCaller(client, signer, PRINCIPALS["user:customer"])
    assert own.call("GET", "/customers/1", "/customers/{customer_id}").status_code == 200
    assert own.call("GET", "/customers/1/contracts", "/customers/{customer_id}/contracts").status_code == 200
    for url, template in (("/customers/2", "/customers/{customer_id}"),
                          ("/customers/2/contracts", "/customers/{customer_id}/contracts"),
                          ("/coverage?customer_id=2&product_id=1", "/coverage")):
        assert own.call("GET", url, template).status_code == 403, url


def test_expert_tokens_read_only_their_own_profile(app, client):
    caller = BridgeCaller(client, app.extensions["token_signer"], PRINCIPALS["user:expert"])
    assert caller.call("GET", "/experts/1", "/experts/{expert_id}").status_code == 200
    assert caller.call("GET", "/experts/2", "/experts/{expert_id}").status_code == 403


def test_the_monolith_mints_a_user_token_for_the_logged_in_user(app, client, auth):
    auth.login("customer1")
    body = client.get("/auth/token").get_json()
    principal = app.extensions["bridge_token_verifier"].verify(body["token"])
    assert (principal.subject, principal.role, principal.customer_id) == ("customer1", "customer", 1)
    assert client.get("/auth/token?audience=elsewhere").status_code == 400


def test_session_cookie_grants_nothing_on_the_bridge(client, auth):
    auth.login("admin")
    assert client.get("/bridge/v1/customers/1").status_code == 401


def test_once_decommissioned_every_bridge_route_answers_410_with_its_successor(app):
    from bridge_api.gone import create_gone

    gone = create_gone("2026-12-06T09:00:00").test_client()
    assert gone.get("/healthz").status_code == 200
    seen = 0
    for _endpoint, method, _template, url in bridge_routes(app):
        answer = gone.open(PREFIX + url, method=method, json={})
        assert answer.status_code == 410, (method, url)
        assert answer.headers["Link"] == f'<{answer.json["successor"]}>; rel="successor-version"'
        assert "2026-12-06" in answer.json["detail"] and answer.json["successor"].startswith("/")
        seen += 1
    assert seen > 40
    assert gone.get(PREFIX + "/customers/7").json["successor"] == "/fragments/customers/api/v1/customers"
    assert gone.get("/tickets/5").status_code == 410  # the monolith's screens too
