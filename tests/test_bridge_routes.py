"""Each bridge route: its happy path and each error status it documents, validated against the contract."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from shell_app.models import Contract, LegacyTicket

from .support.bridge import PRINCIPALS, BridgeCaller

_keys = itertools.count()


@pytest.fixture
def as_(app, client):
    def caller(who: str) -> BridgeCaller:
        return BridgeCaller(client, app.extensions["token_signer"], PRINCIPALS[who])

    return caller


def test_customer_search_pages_with_cursors_until_the_end(as_):
    staff = as_("user:call_centre")
    seen, cursor = [], None
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = staff.call("GET", "/customers", "/customers", query_string=query).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 25  # the tiny preset


def test_customer_search_by_text_and_bad_paging_parameters(as_):
    staff = as_("service:ticketing")
    first = staff.call("GET", "/customers/1", "/customers/{customer_id}").get_json()
    found = staff.call("GET", "/customers", "/customers", query_string={"q": first["email"]}).get_json()
    assert [c["id"] for c in found["items"]] == [1]
    for bad in ({"limit": "0"}, {"limit": "999"}, {"limit": "x"}, {"limit": "²"}, {"cursor": "bm9wZQ"}, {"cursor": "%%%"}):
        response = staff.call("GET", "/customers", "/customers", query_string=bad)
        assert response.status_code == 400, bad


def test_get_customer_and_contracts_and_404(as_):
    caller = as_("service:ticketing")
    assert caller.call("GET", "/customers/1", "/customers/{customer_id}").get_json()["locale"]["code"]
    contracts = caller.call("GET", "/customers/1/contracts", "/customers/{customer_id}/contracts").get_json()
    assert contracts["items"] and all(c["customer_id"] == 1 for c in contracts["items"])
    assert caller.call("GET", "/customers/99999", "/customers/{customer_id}").status_code == 404
    assert caller.call("GET", "/customers/99999/contracts", "/customers/{customer_id}/contracts").status_code == 404


def test_coverage_answers_yes_no_and_rejects_bad_input(as_, db):
    caller = as_("service:ticketing")
    contract = db.scalars(select(Contract).where(Contract.status == "active", Contract.end_date.is_(None))).first()
    product_id = contract.products[0].id
    query = {"customer_id": contract.customer_id, "product_id": product_id}
    yes = caller.call("GET", "/coverage", "/coverage", query_string=query).get_json()
    assert yes["covered"] is True and yes["contract_id"] is not None
    before = caller.call("GET", "/coverage", "/coverage", query_string={**query, "on": "1990-01-01"}).get_json()
    assert before["covered"] is False and before["contract_id"] is None
    for bad in ({"customer_id": contract.customer_id}, {**query, "on": "yesterday"}, {**query, "product_id": "-4"}):
        assert caller.call("GET", "/coverage", "/coverage", query_string=bad).status_code == 400, bad
    missing = caller.call("GET", "/coverage", "/coverage", query_string={**query, "customer_id": 99999})
    assert missing.status_code == 404


def test_products_locales_and_product_404(as_):
    caller = as_("user:expert")
    products = caller.call("GET", "/products", "/products").get_json()["items"]
    assert len(products) > 10
    assert caller.call("GET", f"/products/{products[0]['id']}", "/products/{product_id}").status_code == 200
    assert caller.call("GET", "/products/99999", "/products/{product_id}").status_code == 404
    assert len(caller.call("GET", "/locales", "/locales").get_json()["items"]) == 16


def test_experts_filter_by_skill_and_locale(as_):
    caller = as_("service:ticketing")
    everyone = caller.call("GET", "/experts", "/experts").get_json()["items"]
    expert = everyone[0]
    skill, locale = expert["skills"][0]["product_id"], expert["locale_ids"][0]
    filtered = caller.call("GET", "/experts", "/experts",
                           query_string={"product_id": skill, "locale_id": locale}).get_json()["items"]
    assert expert["id"] in [e["id"] for e in filtered]
    assert all(skill in [s["product_id"] for s in e["skills"]] and locale in e["locale_ids"] for e in filtered)
    assert caller.call("GET", "/experts", "/experts", query_string={"product_id": "abc"}).status_code == 400
    assert caller.call("GET", "/experts/99999", "/experts/{expert_id}").status_code == 404


def test_legacy_ticket_ids_get_and_mark_migrated_then_legacy_writes_are_refused(as_, client, auth, db):
    backfill = as_("service:backfill")
    ids = backfill.call("GET", "/legacy-tickets", "/legacy-tickets",
                        query_string={"migrated": "false", "limit": 500}).get_json()["items"]
    ticket_id = ids[-1]
    ticket = backfill.call("GET", f"/legacy-tickets/{ticket_id}", "/legacy-tickets/{ticket_id}").get_json()
    assert ticket["history"] and ticket["slots"] and ticket["migrated_at"] is None
    first = backfill.call("POST", f"/legacy-tickets/{ticket_id}/migrated",
                          "/legacy-tickets/{ticket_id}/migrated").get_json()
    again = backfill.call("POST", f"/legacy-tickets/{ticket_id}/migrated",
                          "/legacy-tickets/{ticket_id}/migrated").get_json()
    assert first["migrated_at"] == again["migrated_at"]
    remaining = backfill.call("GET", "/legacy-tickets", "/legacy-tickets",
                              query_string={"migrated": "false", "limit": 500}).get_json()["items"]
    assert ticket_id not in remaining
    migrated = backfill.call("GET", "/legacy-tickets", "/legacy-tickets",
                             query_string={"migrated": "true"}).get_json()["items"]
    assert ticket_id in migrated
    assert backfill.call("GET", "/legacy-tickets", "/legacy-tickets",
                         query_string={"migrated": "maybe"}).status_code == 400
    assert backfill.call("GET", "/legacy-tickets/99999", "/legacy-tickets/{ticket_id}").status_code == 404
    assert backfill.call("POST", "/legacy-tickets/99999/migrated",
                         "/legacy-tickets/{ticket_id}/migrated").status_code == 404

    # The legacy screens now show the ticket read-only and refuse writes with 409.
    auth.login("callcentre")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "moved to the new ticketing system" in page and "Add a follow-up note" not in page
    refused = client.post(f"/tickets/{ticket_id}/notes", data={"note": "late edit", "csrf_token": auth.csrf})
    assert refused.status_code == 409
    refused = client.post(f"/tickets/{ticket_id}/status", data={"status": "cancelled", "note": "x",
                                                                "csrf_token": auth.csrf})
    assert refused.status_code == 409
    assert db.get(LegacyTicket, ticket_id).history[-1].detail != "late edit"


def test_legacy_ticket_checksum_changes_when_its_content_changes(as_, client, auth, db):
    backfill = as_("service:backfill")
    ticket_id = db.scalars(select(LegacyTicket.id).where(LegacyTicket.migrated_at.is_(None),
                                                         LegacyTicket.status == "open")).first()
    before = backfill.call("GET", f"/legacy-tickets/{ticket_id}", "/legacy-tickets/{ticket_id}").get_json()
    auth.login("callcentre")
    client.post(f"/tickets/{ticket_id}/notes", data={"note": "customer rang again", "csrf_token": auth.csrf})
    after = backfill.call("GET", f"/legacy-tickets/{ticket_id}", "/legacy-tickets/{ticket_id}").get_json()
    assert before["checksum"] != after["checksum"]


def notification(**overrides) -> dict:
    body = {"idempotency_key": f"test-key-{next(_keys):06d}", "channel": "email",
            "recipient": {"kind": "customer", "id": 1}, "subject": "Your ticket", "body": "We have received it."}
    return {**body, **overrides}


def test_notifications_are_idempotent_and_readable(as_):
    caller = as_("service:ticketing")
    payload = notification()
    created = caller.call("POST", "/notifications", "/notifications", json=payload)
    repeated = caller.call("POST", "/notifications", "/notifications", json=payload)
    assert (created.status_code, repeated.status_code) == (202, 200)
    assert created.get_json()["id"] == repeated.get_json()["id"]
    status = caller.call("GET", f"/notifications/{created.get_json()['id']}", "/notifications/{notification_id}")
    assert status.get_json()["status"] == "queued"
    reused = caller.call("POST", "/notifications", "/notifications", json={**payload, "body": "Something else"})
    assert reused.status_code == 409
    assert caller.call("GET", "/notifications/99999", "/notifications/{notification_id}").status_code == 404


def test_preferred_channel_follows_the_customers_preference(as_, db):
    from shell_app.models import Customer

    caller = as_("service:ticketing")
    created = caller.call("POST", "/notifications", "/notifications", json=notification(channel="preferred"))
    assert created.get_json()["channel"] == db.get(Customer, 1).notification_preference


@pytest.mark.parametrize("bad", [
    {"channel": "pigeon"}, {"recipient": {"kind": "customer"}}, {"recipient": {"kind": "alien", "id": 1}},
    {"recipient": {"kind": "customer", "id": 99999}}, {"idempotency_key": "short"}, {"body": ""},
    {"subject": 42}, {"body": "x" * 5000},
])
def test_invalid_notifications_get_422_with_field_errors(as_, bad):
    response = as_("service:ticketing").call("POST", "/notifications", "/notifications", json=notification(**bad))
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_a_notification_batch_is_one_outcome_per_item_in_order(as_, db):
    """Queued (202), seen before (200), the same key twice in one batch (202 then 200), a key reused for
    another text (409) and an unknown recipient (422) side by side: one item's problem stops no other."""
    from shell_app.models import Notification

    caller = as_("service:ticketing")
    earlier = notification()
    assert caller.call("POST", "/notifications", "/notifications", json=earlier).status_code == 202
    twice = notification(channel="preferred")
    items = [notification(), earlier, twice, twice, {**earlier, "body": "Another text"},
             notification(recipient={"kind": "customer", "id": 99999}), notification(recipient={"kind": "expert", "id": 1})]
    answer = caller.call("POST", "/notifications/batch", "/notifications/batch", json={"items": items})
    assert answer.status_code == 200
    outcomes = answer.get_json()["items"]
    assert [o["status"] for o in outcomes] == [202, 200, 202, 200, 409, 422, 202]
    assert outcomes[2]["notification"]["id"] == outcomes[3]["notification"]["id"]
    assert outcomes[2]["notification"]["channel"] in ("email", "sms")  # "preferred" resolved by the monolith
    assert outcomes[4]["problem"]["type"].endswith("idempotency-key-reused") and "99999" in outcomes[5]["problem"]["detail"]
    stored = db.scalars(select(Notification.idempotency_key)).all()
    assert sorted(k for k in stored if k in {i["idempotency_key"] for i in items}) == sorted(
        {items[0]["idempotency_key"], earlier["idempotency_key"], twice["idempotency_key"], items[6]["idempotency_key"]})
    repeated = caller.call("POST", "/notifications/batch", "/notifications/batch", json={"items": items[:1]})
    assert repeated.get_json()["items"][0]["status"] == 200  # a retried batch queues nothing twice


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "x"}, {"items": [notification()] * 101},
                                  {"items": [notification(), notification(channel="fax")]}, {"items": [None]}])
def test_a_malformed_notification_batch_is_refused_whole(as_, db, body):
    from shell_app.models import Notification

    before = db.scalar(select(func.count()).select_from(Notification))
    answer = as_("service:ticketing").call("POST", "/notifications/batch", "/notifications/batch", json=body)
    assert answer.status_code == 422 and answer.get_json()["errors"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Notification)) == before  # nothing stored


def test_staff_alerts_in_a_batch_are_all_raised_or_none(as_, db):
    from shell_app.models import StaffAlert

    service = as_("service:ticketing")
    alerts = [{"kind": "ticket-unassigned", "message": f"No expert for B-{n}", "ticket_reference": f"B-{n}"}
              for n in range(3)]
    raised = service.call("POST", "/staff-alerts/batch", "/staff-alerts/batch", json={"items": alerts})
    assert raised.status_code == 201
    assert [a["ticket_reference"] for a in raised.get_json()["items"]] == ["B-0", "B-1", "B-2"]
    before = db.scalar(select(func.count()).select_from(StaffAlert))
    refused = service.call("POST", "/staff-alerts/batch", "/staff-alerts/batch",
                           json={"items": [alerts[0], {"kind": "x", "message": ""}]})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "items.1.message"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(StaffAlert)) == before
    assert as_("user:call_centre").call("POST", "/staff-alerts/batch", json={"items": alerts}).status_code == 403
    assert as_("user:admin").call("POST", "/notifications/batch", json={"items": [notification()]}).status_code == 403


def test_non_json_bodies_get_415_or_400(as_):
    caller = as_("service:ticketing")
    assert caller.call("POST", "/notifications", "/notifications", data="x=1").status_code == 415
    assert caller.call("POST", "/notifications", "/notifications", data="[1, 2",
                       content_type="application/json").status_code == 400


def test_knowledge_base_ranked_search_create_update(as_):
    caller = as_("user:expert")
    answered = caller.call("GET", "/kb/articles", "/kb/articles", query_string={"q": "battery drains"})
    assert answered.headers["Sunset"] == "Wed, 30 Jun 2027 23:59:59 GMT"  # the compatibility window
    assert 'rel="successor-version"' in answered.headers["Link"]
    results = answered.get_json()
    assert results["items"] and "battery" in results["items"][0]["title"].lower()
    scores = [a["score"] for a in results["items"]]
    assert scores == sorted(scores, reverse=True)
    assert caller.call("GET", "/kb/articles", "/kb/articles").status_code == 400
    admin = as_("user:admin")
    article = {"title": "Router: flashing red light", "body": "Hold reset for ten seconds, then re-pair.",
               "tags": ["Networking"], "keywords": ["router", "reset"], "product_id": None}
    created = admin.call("POST", "/kb/articles", "/kb/articles", json=article)
    assert created.status_code == 201 and created.get_json()["tags"] == ["networking"]
    article_id = created.get_json()["id"]
    found = caller.call("GET", "/kb/articles", "/kb/articles", query_string={"q": "flashing red"}).get_json()
    assert found["items"][0]["id"] == article_id
    updated = admin.call("PUT", f"/kb/articles/{article_id}", "/kb/articles/{article_id}",
                         json={**article, "title": "Router: solid red light"})
    assert updated.get_json()["title"] == "Router: solid red light"
    assert admin.call("PUT", "/kb/articles/99999", "/kb/articles/{article_id}", json=article).status_code == 404
    assert admin.call("POST", "/kb/articles", "/kb/articles", json={**article, "tags": "x"}).status_code == 422
    assert admin.call("POST", "/kb/articles", "/kb/articles",
                      json={**article, "product_id": 99999}).status_code == 422
    assert caller.call("GET", "/kb/articles/99999", "/kb/articles/{article_id}").status_code == 404


def test_the_knowledge_service_takes_its_copy_and_writes_published_versions_back(as_):
    knowledge, admin = as_("service:knowledge"), as_("user:admin")
    stats = knowledge.call("GET", "/kb/articles/stats", "/kb/articles/stats").get_json()
    ids = knowledge.call("GET", "/kb/articles/ids", "/kb/articles/ids", query_string={"migrated": "false"}).get_json()
    first = ids["items"][0]
    frozen = knowledge.call("POST", "/kb/articles/freeze", "/kb/articles/freeze", json={"ids": [first, 999999]})
    assert frozen.get_json()["missing"] == [999999] and frozen.get_json()["items"][0]["id"] == first
    again = knowledge.call("POST", "/kb/articles/freeze", "/kb/articles/freeze", json={"ids": [first]})
    assert again.get_json()["items"] == frozen.get_json()["items"]  # idempotent: the same content
    legacy_edit = {"title": "Edited in the monolith", "body": "A body long enough."}
    refused = admin.call("PUT", f"/kb/articles/{first}", "/kb/articles/{article_id}", json=legacy_edit)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("article-migrated")
    published = {"title": "Published in the new system", "body": "Symptom: x.\n1. Do this", "product_id": None,
                 "tags": ["new"], "keywords": []}
    back = knowledge.call("PUT", f"/kb/articles/{first}/published", "/kb/articles/{article_id}/published",
                          json=published)
    assert back.status_code == 200 and back.get_json()["title"] == "Published in the new system"
    created = knowledge.call("PUT", "/kb/articles/1000001/published", "/kb/articles/{article_id}/published",
                             json={**published, "title": "Written first in the new system"})
    assert created.status_code == 200
    reader = as_("service:experts")
    assert reader.call("GET", "/kb/articles/1000001", "/kb/articles/{article_id}").get_json()["title"] == (
        "Written first in the new system")
    knowledge.call("POST", "/kb/articles/mark", "/kb/articles/mark", json={"ids": [first]})
    after = knowledge.call("GET", "/kb/articles/stats", "/kb/articles/stats").get_json()
    assert after["total"] == stats["total"] + 1 and after["migrated"] >= stats["migrated"] + 1
    assert knowledge.call("POST", "/kb/articles/freeze", "/kb/articles/freeze", json={"ids": []}).status_code == 400
    for who in ("service:experts", "user:admin"):  # only the knowledge service writes back
        assert as_(who).call("PUT", f"/kb/articles/{first}/published", "/kb/articles/{article_id}/published",
                             json=published).status_code == 403


def test_staff_alerts_raised_by_services_are_listed_newest_first(as_, client, auth):
    service = as_("service:ticketing")
    for n in range(3):
        raised = service.call("POST", "/staff-alerts", "/staff-alerts",
                              json={"kind": "unassigned", "message": f"No expert for T-{n}", "ticket_reference": f"T-{n}"})
        assert raised.status_code == 201 and raised.get_json()["raised_by"] == "ticketing"
    listed = as_("user:manager").call("GET", "/staff-alerts", "/staff-alerts", query_string={"limit": 2}).get_json()
    assert [a["ticket_reference"] for a in listed["items"]] == ["T-2", "T-1"] and listed["next_cursor"]
    rest = as_("user:manager").call("GET", "/staff-alerts", "/staff-alerts",
                                    query_string={"limit": 2, "cursor": listed["next_cursor"]}).get_json()
    assert rest["items"][0]["ticket_reference"] == "T-0"
    assert service.call("POST", "/staff-alerts", "/staff-alerts", json={"kind": ""}).status_code == 422
    auth.login("callcentre")
    assert "No expert for T-2" in client.get("/outbox").get_data(as_text=True)


def test_openapi_document_is_served_to_any_token(as_):
    doc = as_("user:customer").call("GET", "/openapi.json", "/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and "/customers/{customer_id}" in doc["paths"]


def test_legacy_ticket_batches_read_and_mark_several_at_once(as_, db):
    backfill = as_("service:backfill")
    ids = db.scalars(select(LegacyTicket.id).where(LegacyTicket.migrated_at.is_(None))
                     .order_by(LegacyTicket.id.desc()).limit(3)).all()
    batch = backfill.call("GET", "/legacy-tickets/batch", "/legacy-tickets/batch",
                          query_string={"ids": ",".join(map(str, [*ids, 99999]))}).get_json()
    assert sorted(t["id"] for t in batch["items"]) == sorted(ids) and batch["missing"] == [99999]
    single = backfill.call("GET", f"/legacy-tickets/{ids[0]}", "/legacy-tickets/{ticket_id}").get_json()
    assert next(t for t in batch["items"] if t["id"] == ids[0]) == single
    marked = backfill.call("POST", "/legacy-tickets/migrated", "/legacy-tickets/migrated",
                           json={"ids": [*ids, 99999]}).get_json()
    assert [m["id"] for m in marked["items"]] == sorted(ids) and marked["missing"] == [99999]
    again = backfill.call("POST", "/legacy-tickets/migrated", "/legacy-tickets/migrated", json={"ids": ids}).get_json()
    assert [m["migrated_at"] for m in again["items"]] == [m["migrated_at"] for m in marked["items"]]
    for bad in ({"ids": ""}, {"ids": "1,x"}, {"ids": ",".join(["1"] * 501)}):
        assert backfill.call("GET", "/legacy-tickets/batch", "/legacy-tickets/batch",
                             query_string=bad).status_code == 400
    for bad in ({"ids": []}, {"ids": ["1"]}, {"ids": [True]}, {}, {"ids": 7}, {"ids": 1.5}, {"ids": "1,2"}):
        assert backfill.call("POST", "/legacy-tickets/migrated", "/legacy-tickets/migrated",
                             json=bad).status_code == 400
