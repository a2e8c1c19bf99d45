"""What testers sent that answered 500, and the limits every app of ours applies before a view runs
(foundation/inbound.py): in the shell, the bridge and each fragment, a clear 4xx and nothing stored."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from foundation.tokens import Principal
from shell_app.models import TicketHistory

from .conftest import csrf_from
from .experts.test_app import headers as expert_headers
from .experts.test_fuzz_inputs import CLIENT as EXPERTS
from .reports.test_app import headers as manager_headers
from .reports.test_app import reports_app  # noqa: F401 (fixture)
from .support.hostile import DEEP, FORM_TEXT, nested
from .support.keys import mint
from .ticketing.conftest import headers_for
from .ticketing.test_fuzz_inputs import CLIENT as TICKETING

STAFF = Principal("user", "callcentre", "call_centre")


def bridge_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(STAFF, 'bridge')}"}


def _history_rows(db) -> int:
    return db.scalar(select(func.count()).select_from(TicketHistory))


@pytest.mark.parametrize("body", [nested(2000), '{"note": %s}' % nested(2000), '{"note": "\\ud800"}',
                                  '{"note": "a\\u0000b"}', b'{"note": "\xff"}'], ids=["deep", "deep-field", "surrogate",
                                                                                       "nul", "not-utf8"])
def test_the_bridge_refuses_hostile_json_with_a_problem_and_stores_nothing(client, db, body):
    before = _history_rows(db)
    response = client.post("/bridge/v1/legacy-tickets/1/notes", data=body, content_type="application/json",
                           headers=bridge_headers())
    assert response.status_code == 400 and response.content_type == "application/problem+json", response.data[:200]
    assert _history_rows(db) == before


@pytest.mark.parametrize("body", [nested(2000), '{"note": "\\ud800"}', '{"note": "bell\\u0007"}'])
def test_the_ticketing_api_refuses_hostile_json_with_a_problem(body):
    response = TICKETING.post("/api/v1/tickets/100000001/notes", data=body, content_type="application/json",
                              headers=headers_for("call_centre"))
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert "nested deeper" in response.json["detail"] or "control characters" in response.json["detail"]


def test_a_note_with_a_control_character_re_renders_nothing_stored(staff, db):
    client, auth = staff
    before = _history_rows(db)
    response = client.post("/tickets/1/notes", data={"note": "hello\x00world", "csrf_token": auth.csrf})
    assert response.status_code == 400 and "control characters" in response.get_data(as_text=True)
    assert _history_rows(db) == before


@pytest.mark.parametrize("target", ["/tickets\r\nSet-Cookie: stolen=1", "/tickets\nLocation: //evil.example",
                                    "/tickets\x00", "%0d%0a"])
def test_a_next_with_line_breaks_falls_back_to_the_home_page(app, target):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.250"
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "callcentre", "password": "sysops-demo",
                                           "csrf_token": csrf_from(page), "next": target})
    assert response.status_code in (302, 400)
    location = response.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location and "evil" not in location and "Set-Cookie" not in location


def test_an_anonymous_huge_post_is_refused_before_it_is_read(app):
    client = app.test_client()
    response = client.post("/login", data=b"username=" + b"x" * (2 * 1024 * 1024),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "larger than" in response.get_data(as_text=True)


def test_each_fragment_refuses_a_body_over_its_limit_with_413():
    big = b"x" * (300 * 1024)
    assert TICKETING.post("/api/v1/tickets", data=big, content_type="application/json",
                          headers=headers_for("call_centre")).status_code == 413
    assert EXPERTS.post("/tickets/100000001/notes", data=big, content_type="application/x-www-form-urlencoded",
                        headers=expert_headers("expert")).status_code == 413


def test_the_bridge_refuses_a_body_over_its_limit_with_413(client):
    response = client.post("/bridge/v1/legacy-tickets/1/notes", data=b"x" * (2 * 1024 * 1024),
                           content_type="application/json", headers=bridge_headers())
    assert response.status_code == 413 and response.content_type == "application/problem+json"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["from", "to", "q", "page"]), FORM_TEXT, max_size=3))
def test_reports_queries_with_hostile_text_never_5xx(reports_app, query):  # noqa: F811 (the fixture)
    app, _source = reports_app
    for path in ("/", "/reconciliation", "/export/volumes.csv"):
        response = app.test_client().get(path, query_string=query, headers=manager_headers("manager"))
        assert response.status_code < 500, (path, query)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=DEEP)
def test_the_bridge_never_5xx_on_deep_json(client, body):
    response = client.post("/bridge/v1/legacy-tickets/1/status", data=body, content_type="application/json",
                           headers=bridge_headers())
    assert response.status_code == 400
