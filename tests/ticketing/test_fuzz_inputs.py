"""Whatever a client sends to the ticketing fragment's forms and JSON API: never a 5xx."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fragments.ticketing.app import create_app
from fragments.ticketing.wiring import build
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.hostile import FORM_TEXT, raw_json_bodies, refused_outright
from tests.support.keys import KEYS_DIR
from tests.support.served_client import served

from .conftest import NOW, fake_world, headers_for

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) |
                    st.text(max_size=30), lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
FIELDS = st.fixed_dictionaries({}, optional={
    "customer_id": JSON, "product_id": JSON, "description": JSON, "slots": JSON, "reason": JSON, "note": JSON,
    "expert_id": JSON, "article_id": JSON, "resolution": JSON})
FORM = st.dictionaries(st.sampled_from(["product_id", "description", "slots", "note", "reason", "revision", "answer-1",
                                        "answer-2", "text", "kind", "based_on", "csrf_token"]), FORM_TEXT, max_size=5)
WHO = st.sampled_from(["call_centre", "customer", "other_customer", "expert", "manager"])
JSON_POSTS = ["/api/v1/tickets", "/api/v1/tickets/100000001/accept", "/api/v1/tickets/100000001/refuse",
              "/api/v1/tickets/100000001/notes", "/api/v1/tickets/100000001/articles",
              "/api/v1/tickets/100000001/close", "/api/v1/tickets/100000001/cancel"]
FORM_POSTS = ["/customers/7/tickets", "/tickets/100000001/notes", "/tickets/100000001/description",
              "/tickets/100000001/cancel", "/tickets/100000001/dispatch", "/tickets/100000001/reopen",
              "/surveys/100000001", "/surveys/template"]


HOSTILE_BODIES = raw_json_bodies(["customer_id", "product_id", "description", "slots", "reason", "note",
                                  "expert_id", "article_id", "resolution"])


def _app():
    store, bridge = fake_world()
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True},
                     ticketing=build(store.ports(), bridge, notifier=FakeNotifier(),
                                     customers=FakeCustomers(bridge), clock=lambda: NOW,
                                     offer_timeout=dt.timedelta(minutes=10)))
    served(app)
    client = app.test_client()
    client.post("/customers/7/tickets", headers=headers_for("call_centre"), data={
        "product_id": "11", "description": "Printer jams on every page", "slots": ["2026-11-26 morning"]})
    return client, store


CLIENT, STORE = _app()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(JSON_POSTS), body=FIELDS | JSON, who=WHO)
def test_json_api_never_answers_5xx(path, body, who):
    response = CLIENT.post(path, json=body, headers=headers_for(who))
    assert response.status_code < 500, (path, body, response.get_data()[:300])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(JSON_POSTS), body=HOSTILE_BODIES, who=WHO)
def test_hostile_json_is_refused_with_a_problem_and_changes_nothing(path, body, who):
    """Deep nesting, unpaired surrogates, control characters, bytes that are not UTF-8."""
    before = repr(STORE.tickets)
    response = CLIENT.post(path, data=body, content_type="application/json", headers=headers_for(who))
    assert response.status_code < 500, (path, body[:200], response.get_data()[:300])
    if refused_outright(body):
        assert response.status_code == 400 and response.content_type == "application/problem+json", (
            path, body[:200], response.status_code)
        assert repr(STORE.tickets) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(FORM_POSTS), form=FORM, who=WHO)
def test_forms_never_answer_5xx(path, form, who):
    response = CLIENT.post(path, data=form, headers=headers_for(who))
    assert response.status_code < 500, (path, form, response.get_data()[:300])


@settings(max_examples=100, deadline=None)
@given(query=st.dictionaries(st.sampled_from(["status", "customer_id", "q"]), st.text(max_size=20), max_size=3),
       who=WHO)
def test_lists_never_answer_5xx(query, who):
    for path in ("/tickets", "/api/v1/tickets", "/queue", "/customers/7/tickets"):
        assert CLIENT.get(path, query_string=query, headers=headers_for(who)).status_code < 500
