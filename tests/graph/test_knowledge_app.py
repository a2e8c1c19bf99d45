"""The knowledge fragment's app in-process over a real graph store and the real monolith: who may call
what, CSRF, the pages staff, experts and admins use, forms that re-render with their messages, and
the JSON API the experts fragment reads."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.knowledge.app import create_app

from ..support.keys import KEYS_DIR, mint
from ..ticketing.conftest import PRINCIPALS
from .conftest import bridge_client

CSRF = "session-csrf-token"
NOW = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def app(store, live_bridge):
    legacy = bridge_client(live_bridge, "knowledge")
    yield create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, articles=store.articles, catalogue=store.bridge,
                     legacy=legacy, clock=lambda: NOW)
    legacy.close()


def headers(who: str, csrf: bool = True) -> dict[str, str]:
    principal = replace(PRINCIPALS[who], csrf_digest=csrf_digest(CSRF)) if csrf else PRINCIPALS[who]
    return {"Authorization": f"Bearer {mint(principal, 'fragment:knowledge')}", "X-CSRF-Token": CSRF,
            "X-Shell-CSRF": CSRF, "HX-Request": "true"}


ROLES = {  # endpoint -> who gets in (everyone else: 403)
    "views.search": {"call_centre", "admin", "manager", "expert"}, "views.article": {"call_centre", "admin", "manager",
                                                                                     "expert"},
    "views.history": {"call_centre", "admin", "manager", "expert"}, "views.new_article": {"admin", "expert"},
    "views.create_article": {"admin", "expert"}, "views.edit_article": {"admin", "expert"},
    "views.save_article": {"admin", "expert"}, "views.proposals": {"admin"}, "views.approve": {"admin"},
    "views.reject": {"admin"}, "api.for_ticket": {"call_centre", "admin", "manager", "expert"},
    "api.search": {"call_centre", "admin", "manager", "expert"}, "api.article": {"call_centre", "admin", "manager",
                                                                                  "expert"},
}


def test_every_route_needs_a_token_and_the_right_role(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("meta.healthz", "static", "meta.manifest_json", "metrics"):
            continue
        url = rule.build({name: {"article_id": 31, "key": "31:p:none"}[name] for name in rule.arguments},
                         append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(url, method=method).status_code == 401, rule.endpoint
            wrong_audience = {"Authorization": f"Bearer {mint(PRINCIPALS['admin'], 'fragment:experts')}"}
            assert client.open(url, method=method, headers=wrong_audience).status_code == 401, rule.endpoint
            for who in ("call_centre", "admin", "manager", "expert", "customer"):
                status = client.open(url, method=method, headers=headers(who)).status_code
                assert (status != 403) == (who in ROLES[rule.endpoint]), (rule.endpoint, who, status)
            service = {"Authorization": f"Bearer {mint(Principal('service', 'ticketing'), 'fragment:knowledge')}"}
            assert client.open(url, method=method, headers=service).status_code == 403, rule.endpoint
            if method == "POST":
                assert client.open(url, method=method, headers=headers("admin", csrf=False)).status_code == 400
            checked += 1
    assert checked == len(ROLES)


def test_staff_search_and_read_an_article_migrated_on_the_way(app, store):
    client = app.test_client()
    legacy_title = store.bridge.get_article(32)["title"]
    found = client.get("/search", query_string={"q": legacy_title}, headers=headers("call_centre"))
    assert found.status_code == 200 and 'data-article-id="32"' in found.get_data(as_text=True)
    page = client.get("/articles/32", headers=headers("call_centre")).get_data(as_text=True)
    assert legacy_title in page and '<ol class="kb-steps">' in page and "Edit" not in page
    assert client.get("/articles/987654", headers=headers("call_centre")).status_code == 404
    assert "<script>" not in client.get("/search", query_string={"q": "<script>x</script>"},
                                        headers=headers("admin")).get_data(as_text=True)


def test_a_bad_edit_re_renders_with_messages_and_keeps_the_text(app):
    client = app.test_client()
    form = client.get("/articles/33/edit", headers=headers("admin")).get_data(as_text=True)
    assert 'name="version" value="1"' in form
    bad = client.post("/articles/33/edit", headers=headers("admin"),
                      data={"version": "1", "title": "x", "symptoms": "short", "steps": "", "product_id": "99999",
                            "tags": "ok"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'aria-invalid="true"' in text
    assert "give a title of 3 to 200 characters" in text and "give at least one step" in text
    assert "choose a product from the list" in text and 'value="ok"' in text


def test_admin_publishes_expert_proposes_admin_approves(app, store):
    client = app.test_client()
    base = store.articles.get(34)
    fields = {"title": base["title"], "symptoms": base["symptoms"], "steps": "Unplug it\nWait a minute\nPlug in",
              "product_id": str(base["product_id"]), "tags": "reset", "keywords": ""}
    published = client.post("/articles/34/edit", data={**fields, "version": "1"}, headers=headers("admin"))
    assert published.status_code == 200 and "Version 2 published." in published.get_data(as_text=True)
    stale = client.post("/articles/34/edit", data={**fields, "version": "1", "title": "Old tab"},
                        headers=headers("admin"))
    assert stale.status_code == 409 and "Someone published version 2" in stale.get_data(as_text=True)
    proposed = client.post("/articles/34/edit", data={**fields, "version": "2", "title": "From the field"},
                           headers=headers("expert"))
    assert proposed.status_code == 201 and "an admin will review" in proposed.get_data(as_text=True)
    assert store.articles.find(34)["title"] == base["title"]
    review = client.get("/proposals", headers=headers("admin")).get_data(as_text=True)
    key = next(p["key"] for p in store.articles.open_proposals() if p.get("article_id") == 34)
    assert f'data-proposal="{key}"' in review and "From the field" in review
    assert client.post(f"/proposals/{key}/reject", data={"reason": ""}, headers=headers("admin")).status_code == 422
    approved = client.post(f"/proposals/{key}/approve", headers=headers("admin"))
    assert approved.status_code == 200 and "version 3" in approved.get_data(as_text=True)
    assert client.post(f"/proposals/{key}/approve", headers=headers("admin")).status_code == 409
    assert store.articles.find(34)["title"] == "From the field"
    history = client.get("/articles/34/history", headers=headers("manager")).get_data(as_text=True)
    assert history.count("<tr data-version-key") == 4  # v1 (legacy), v2, the approved proposal, v3


def test_the_api_ranks_a_tickets_articles_and_answers_problems(app, store):
    client = app.test_client()
    article = store.articles.get(35)
    ranked = client.get("/api/v1/articles/for-ticket", headers=headers("expert"),
                        query_string={"product_id": article["product_id"], "q": article["symptoms"]}).get_json()
    assert ranked["items"][0]["id"] == 35 and ranked["items"][0]["why"].startswith("this product")
    excluded = client.get("/api/v1/articles/for-ticket", headers=headers("expert"),
                          query_string={"product_id": article["product_id"], "q": article["symptoms"],
                                        "exclude": "35"}).get_json()
    assert 35 not in [a["id"] for a in excluded["items"]]
    one = client.get("/api/v1/articles/35", headers=headers("expert")).get_json()
    assert one["steps"] == article["steps"].splitlines() and one["product"]
    for bad in ({"product_id": "x"}, {"exclude": "1,a"}):
        answer = client.get("/api/v1/articles/for-ticket", headers=headers("expert"), query_string=bad)
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert client.get("/api/v1/articles", headers=headers("expert")).status_code == 400
    assert client.get("/api/v1/articles/987654", headers=headers("expert")).status_code == 404
