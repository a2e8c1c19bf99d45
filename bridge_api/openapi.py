"""The bridge's v1 contract (OpenAPI 3.1). Tests validate every response against it, and a
frozen copy in tests/contracts/ fails the suite on any change that would break an old client.
"""
from __future__ import annotations

from bridge_client import PREFIX

VERSION = "1.7.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


def _obj(required: list[str], properties: dict, additional: bool = True) -> dict:
    # additionalProperties stays open: adding a field is a back-compatible change.
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": additional}


def _list_of(name: str, items: dict) -> dict:
    return {name: _obj(["items", "next_cursor"], {"items": {"type": "array", "items": items},
                                                   "next_cursor": _nullable("string")})}


DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}

SCHEMAS = {
    "Problem": _obj(["type", "title", "status", "detail"], {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": _obj(["field", "message"], {"field": {"type": "string"},
                                                                        "message": {"type": "string"}})}}),
    "Locale": _obj(["id", "code", "name", "region"], {"id": ID, "code": {"type": "string"},
                                                       "name": {"type": "string"}, "region": {"type": "string"}}),
    "Product": _obj(["id", "sku", "name", "category", "manufacturer"], {
        "id": ID, "sku": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
        "manufacturer": {"type": "string"}}),
    "Customer": _obj(["id", "first_name", "last_name", "email", "phone", "locale", "notification_preference"], {
        "id": ID, "first_name": {"type": "string"}, "last_name": {"type": "string"}, "email": {"type": "string"},
        "phone": {"type": "string"}, "address_line": {"type": "string"}, "city": {"type": "string"},
        "postcode": {"type": "string"}, "locale": _ref("Locale"),
        "notification_preference": {"enum": ["email", "sms"]}, "created_at": DATETIME}),
    "Contract": _obj(["id", "reference", "customer_id", "plan", "start_date", "end_date", "status", "product_ids"], {
        "id": ID, "reference": {"type": "string"}, "customer_id": ID,
        "plan": _obj(["id", "code", "name"], {"id": ID, "code": {"type": "string"}, "name": {"type": "string"}}),
        "start_date": DATE, "end_date": _nullable("string", format="date"),
        "status": {"enum": ["active", "cancelled", "expired"]}, "product_ids": {"type": "array", "items": ID}}),
    "Coverage": _obj(["customer_id", "product_id", "on", "covered", "contract_id"], {
        "customer_id": ID, "product_id": ID, "on": DATE, "covered": {"type": "boolean"},
        "contract_id": _nullable("integer")}),
    "Expert": _obj(["id", "employee_number", "first_name", "last_name", "active", "skills", "locale_ids",
                    "weekly_availability", "time_off"], {
        "id": ID, "employee_number": {"type": "string"}, "first_name": {"type": "string"},
        "last_name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
        "active": {"type": "boolean"},
        "skills": {"type": "array", "items": _obj(["product_id", "level"], {
            "product_id": ID, "level": {"enum": ["junior", "senior", "master"]}})},
        "locale_ids": {"type": "array", "items": ID},
        "weekly_availability": {"type": "array", "items": _obj(["weekday", "period"], {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
            "period": {"enum": ["morning", "afternoon", "evening"]}})},
        "time_off": {"type": "array", "items": _obj(["start_date", "end_date"], {
            "start_date": DATE, "end_date": DATE, "reason": {"type": "string"}})}}),
    "LegacyTicket": _obj(["id", "reference", "status", "channel", "description", "customer_id", "contract_id",
                          "product_id", "locale_id", "assigned_expert_id", "created_at", "slots", "history",
                          "checksum", "migrated_at"], {
        "id": ID, "reference": {"type": "string"},
        "status": {"enum": ["open", "assigned", "in_progress", "closed", "cancelled"]},
        "channel": {"enum": ["web", "phone"]}, "description": {"type": "string"}, "customer_id": ID,
        "contract_id": ID, "product_id": ID, "locale_id": ID, "assigned_expert_id": _nullable("integer"),
        "created_by": {"type": ["object", "null"]}, "created_at": DATETIME, "updated_at": DATETIME,
        "closed_at": _nullable("string", format="date-time"), "resolution": _nullable("string"),
        "slots": {"type": "array", "items": DATETIME, "minItems": 1, "maxItems": 3},
        "history": {"type": "array", "items": _obj(["at", "actor", "action", "detail"], {
            "at": DATETIME, "actor": {"type": "string"}, "action": {"type": "string"},
            "detail": {"type": "string"}})},
        "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "frozen_at": _nullable("string", format="date-time"),
        "migrated_at": _nullable("string", format="date-time"),
        "survey": {"type": ["object", "null"], "required": ["answered_at", "score", "comment"], "properties": {
            "answered_at": DATETIME, "score": {"type": "number", "minimum": 1, "maximum": 5},
            "comment": {"type": "string"}}}}),
    "MigrationMark": _obj(["id", "reference", "migrated_at"], {"id": ID, "reference": {"type": "string"},
                                                               "migrated_at": DATETIME}),
    "NotificationRequest": _obj(["idempotency_key", "channel", "recipient", "subject", "body"], {
        "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 120},
        "channel": {"enum": ["email", "sms", "preferred"]},
        "recipient": _obj(["kind", "id"], {"kind": {"enum": ["customer", "expert"]}, "id": ID}),
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": "string", "minLength": 1, "maxLength": 4000}}),
    "NotificationBatchInput": _obj(["items"], {"items": {"type": "array", "items": _ref("NotificationRequest"),
                                                         "minItems": 1, "maxItems": 100}}),
    "NotificationBatch": _obj(["items"], {"items": {"type": "array", "items": _obj(["status"], {
        "status": {"enum": [200, 202, 409, 422]}, "notification": _ref("Notification"),
        "problem": {"type": "object"}})}}),
    "StaffAlertBatchInput": _obj(["items"], {"items": {"type": "array", "items": _ref("StaffAlertInput"),
                                                       "minItems": 1, "maxItems": 100}}),
    "StaffAlertBatch": _obj(["items"], {"items": {"type": "array", "items": _ref("StaffAlert")}}),
    "Notification": _obj(["id", "idempotency_key", "channel", "recipient", "status", "attempts", "created_at"], {
        "id": ID, "idempotency_key": {"type": "string"}, "channel": {"enum": ["email", "sms"]},
        "recipient": _obj(["kind", "id"], {"kind": {"enum": ["customer", "expert"]}, "id": ID}),
        "status": {"enum": ["queued", "sent", "failed"]}, "attempts": {"type": "integer", "minimum": 0},
        "created_at": DATETIME, "sent_at": _nullable("string", format="date-time"),
        "last_error": _nullable("string")}),
    "OutboxOwner": _obj(["part", "owner", "since"], {
        "part": {"enum": ["outbox"]}, "owner": {"enum": ["legacy", "notifications"]},
        "since": _nullable("string", format="date-time")}),
    "OutboxOwnerInput": _obj(["owner"], {"owner": {"enum": ["legacy", "notifications"]}}),
    "OutboxMessageBatch": _obj(["items", "missing"], {"items": {"type": "array", "items": {"allOf": [
        _ref("Notification"), _obj(["subject", "body", "address", "requested_by", "next_attempt_at", "checksum"], {
            "subject": {"type": "string"}, "body": {"type": "string"}, "address": {"type": "string"},
            "requested_by": {"type": "string"}, "next_attempt_at": DATETIME,
            "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"}})]}},
        "missing": {"type": "array", "items": ID}}),
    "HandBackInput": _obj(["items"], {"items": {"type": "array", "items": _ref("NotificationRequest"),
                                                "minItems": 1, "maxItems": 100}}),
    "HandBackResult": _obj(["items"], {"items": {"type": "array", "items": _obj(["key", "status"], {
        "key": {"type": "string"}, "id": ID, "status": {"enum": ["queued", "done", "refused"]},
        "detail": {"type": "string"}})}}),
    "OutboxChecksums": _obj(["items"], {"items": {"type": "array", "items": _obj(
        ["id", "key", "checksum", "status", "frozen", "migrated"], {
            "id": ID, "key": {"type": "string"}, "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "status": {"enum": ["queued", "sent", "failed"]}, "frozen": {"type": "boolean"},
            "migrated": {"type": "boolean"}})}}),
    "ArticleInput": _obj(["title", "body"], {
        "title": {"type": "string", "minLength": 3, "maxLength": 200},
        "body": {"type": "string", "minLength": 10, "maxLength": 20000},
        "product_id": _nullable("integer", minimum=1),
        "tags": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 60}},
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 60}}}),
    "Article": _obj(["id", "title", "body", "product_id", "tags", "keywords", "updated_at"], {
        "id": ID, "title": {"type": "string"}, "body": {"type": "string"}, "product_id": _nullable("integer"),
        "tags": {"type": "array", "items": {"type": "string"}},
        "keywords": {"type": "array", "items": {"type": "string"}}, "created_at": DATETIME,
        "updated_at": DATETIME, "score": {"type": "number"}}),
    "StaffAlertInput": _obj(["kind", "message"], {
        "kind": {"type": "string", "minLength": 1, "maxLength": 40},
        "message": {"type": "string", "minLength": 1, "maxLength": 2000},
        "ticket_reference": {"type": ["string", "null"], "maxLength": 40}}),
    "StaffAlert": _obj(["id", "kind", "message", "raised_by", "created_at"], {
        "id": ID, "kind": {"type": "string"}, "message": {"type": "string"},
        "ticket_reference": _nullable("string"), "raised_by": {"type": "string"}, "created_at": DATETIME,
        "acknowledged_at": _nullable("string", format="date-time")}),
    "LegacyTicketBatch": _obj(["items", "missing"], {"items": {"type": "array", "items": _ref("LegacyTicket")},
                                                     "missing": {"type": "array", "items": ID}}),
    "LegacyNoteInput": _obj(["note"], {"note": {"type": "string", "minLength": 1, "maxLength": 2000}}),
    "LegacyStatusInput": _obj(["status"], {
        "status": {"enum": ["open", "assigned", "in_progress", "closed", "cancelled"]},
        "note": {"type": "string", "maxLength": 2000}}),
    "LegacyWrite": _obj(["id", "reference", "status", "updated_at"], {
        "id": ID, "reference": {"type": "string"}, "status": {"type": "string"}, "updated_at": DATETIME}),
    "WritebackBatch": _obj(["items"], {"items": {"type": "array", "minItems": 1, "maxItems": 200,
                                                 "items": {"type": "object"}}}),
    "WrittenBack": _obj(["written"], {"written": {"type": "array", "items": ID}}),
    "HandoverRecord": _obj(["id", "checksum", "frozen_at", "migrated_at"], {
        "id": ID, "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "frozen_at": _nullable("string", format="date-time"), "migrated_at": _nullable("string", format="date-time")}),
    "HandoverBatch": _obj(["items", "missing"], {"items": {"type": "array", "items": _ref("HandoverRecord")},
                                                 "missing": {"type": "array", "items": ID}}),
    "HandoverChecksums": _obj(["items", "next_cursor"], {"items": {"type": "array", "items": _ref("HandoverRecord")},
                                                         "next_cursor": _nullable("string")}),
    "ContactInput": _obj(["email", "phone", "address_line", "city", "postcode", "notification_preference"], {
        "email": {"type": "string", "maxLength": 200}, "phone": {"type": "string", "maxLength": 40},
        "address_line": {"type": "string", "maxLength": 200}, "city": {"type": "string", "maxLength": 80},
        "postcode": {"type": "string", "maxLength": 16}, "notification_preference": {"enum": ["email", "sms"]}}),
    "IdItems": _obj(["items"], {"items": {"type": "array", "items": ID}}),
    "AccountNamed": _obj(["id"], {"id": ID}),
    "AccountWriteBack": _obj(["username", "password_hash", "role", "display_name", "customer_id", "expert_id", "active"], {
        "username": {"type": "string", "maxLength": 80}, "password_hash": {"type": "string", "maxLength": 255},
        "role": {"type": "string"}, "display_name": {"type": "string", "maxLength": 160},
        "customer_id": _nullable("integer"), "expert_id": _nullable("integer"), "active": {"type": "boolean"}}),
    # A record a new service owns, whole, in its published shape (products: sku, name, category, manufacturer;
    # plans: code, name, monthly_price_cents, max_open_tickets, product_ids; locales: code, name, region;
    # contracts: customer_id, reference, plan_id, start_date, end_date, status, product_ids).
    "RecordWriteBack": _obj([], {}),
    "ExpertWriteBack": _obj(["employee_number", "first_name", "last_name", "email", "phone", "active"], {
        "employee_number": {"type": "string", "maxLength": 16}, "first_name": {"type": "string", "maxLength": 80},
        "last_name": {"type": "string", "maxLength": 80}, "email": {"type": "string", "maxLength": 200},
        "phone": {"type": "string", "maxLength": 40}, "hired_on": _nullable("string", format="date"),
        "active": {"type": "boolean"}}),
    "RecordWritten": _obj(["id"], {"id": ID}),
    "ReportRows": _obj(["items"], {"items": {"type": "array", "items": {
        "type": "array", "minItems": 10, "maxItems": 12}}}),  # 12 with=contract (1.7.0)
    "ReportNow": _obj(["waiting", "loads", "surveys"], {
        "waiting": {"type": "array", "items": _obj(["id", "reference", "created_at", "waiting_since"], {
            "id": ID, "reference": {"type": "string"}, "created_at": DATETIME, "waiting_since": DATETIME})},
        "loads": {"type": "array", "items": _obj(["expert_id", "load"], {"expert_id": ID,
                                                                        "load": {"type": "integer"}})},
        "surveys": {"type": "array", "items": _obj(["expert_id", "score_sum", "answers"], {
            "expert_id": ID, "score_sum": {"type": "number"}, "answers": {"type": "integer"}})}}),
    "ArticleBatch": _obj(["items", "missing"], {"items": {"type": "array", "items": _ref("Article")},
                                                "missing": {"type": "array", "items": ID}}),
    "ArticleStats": _obj(["total", "frozen", "migrated"], {
        "total": {"type": "integer"}, "frozen": {"type": "integer"}, "migrated": {"type": "integer"}}),
    "IdList": _obj(["ids"], {"ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 500}}),
    "FreezeRequest": _obj(["ids"], {
        "ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 500},
        "reader": _obj(["role"], {"role": {"type": "string", "enum": ["call_centre", "manager", "admin", "customer",
                                                                      "expert"]},
                                  "customer_id": {"type": ["integer", "null"], "minimum": 1},
                                  "expert_id": {"type": ["integer", "null"], "minimum": 1}})}),
    "MigrationMarks": _obj(["items", "missing"], {"items": {"type": "array", "items": _ref("MigrationMark")},
                                                  "missing": {"type": "array", "items": ID}}),
    "LegacyStats": _obj(["total", "migrated", "remaining"], {
        "total": {"type": "integer"}, "migrated": {"type": "integer"}, "remaining": {"type": "integer"},
        "frozen": {"type": "integer"}, "experts": {"type": "integer"}}),
    **_list_of("ChecksumPage", _obj(["id", "checksum", "migrated_at"], {
        "id": ID, "checksum": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "frozen_at": _nullable("string", format="date-time"),
        "migrated_at": _nullable("string", format="date-time")})),
    **_list_of("CustomerPage", _ref("Customer")),
    **_list_of("ContractList", _ref("Contract")),
    **_list_of("ProductList", _ref("Product")),
    **_list_of("LocaleList", _ref("Locale")),
    **_list_of("ExpertPage", _ref("Expert")),
    **_list_of("TicketIdPage", ID),
    **_list_of("ArticleList", _ref("Article")),
    **_list_of("StaffAlertPage", _ref("StaffAlert")),
}


def _param(name: str, where: str = "query", schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path",
            "schema": schema or {"type": "string"}}


PAGING = [_param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}), _param("cursor")]
PROBLEM = {"application/problem+json": {"schema": _ref("Problem")}}
ERRORS = {code: {"description": text, "content": PROBLEM} for code, text in (
    ("400", "bad parameter"), ("401", "missing, expired or forged token"), ("403", "wrong role or owner"))}


def _op(summary: str, ok: str, schema: str, *, params: list | None = None, body: str | None = None,
        extra: dict | None = None, who: str) -> dict:
    responses = {ok: {"description": "success", "content": {"application/json": {"schema": _ref(schema)}}},
                 **ERRORS, **(extra or {})}
    operation = {"summary": summary, "description": f"Who may call: {who}.", "parameters": params or [],
                 "responses": responses, "security": [{"bearer": []}]}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
        responses.setdefault("415", {"description": "not JSON", "content": PROBLEM})
        responses.setdefault("422", {"description": "invalid fields", "content": PROBLEM})
    return operation


def _not_found(what: str) -> dict:
    return {"404": {"description": f"no such {what}", "content": PROBLEM}}


CONFLICT = {"409": {"description": "the ticket moved to the new ticketing system", "content": PROBLEM}}


def _path_id(name: str) -> dict:
    return _param(name, "path", {"type": "integer", "minimum": 1})


STAFF, SERVICES = ("staff (call_centre, manager, admin)",
                   "services (ticketing, experts, reports, knowledge, backfill)")
MOVERS = "services notifications, backfill"
TAKERS = "services customers, backfill, reports"
KIND = {"enum": ["customers", "products", "plans", "locales", "bills"]}
ACCOUNT_TAKERS = "services identity, backfill"
SURVEY_TAKERS = "services ticketing, backfill"


def _own_handover(kind: str, noun: str, takers: str, counters: str) -> dict:
    """A kind another service takes over, on routes of its own (bridge_api/routes/customer_handover.py)."""
    base = f"/handover/{kind}"
    ids = [_param("after", schema={"type": "integer", "minimum": 0}),
           _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}),
           _param("migrated", schema={"enum": ["false"]})]
    return {
        f"{base}/ids": {"get": _op(f"Ids of {noun} in order, one page after `after` (`migrated=false`: not yet marked)",
                                   "200", "IdItems", params=ids, who=f"{takers}, reports")},
        f"{base}/stats": {"get": _op(f"How many {noun}, frozen and marked", "200", "ArticleStats", who=counters)},
        f"{base}/freeze": {"post": _op(f"Take the copy of {noun}: refuse later legacy edits and return them as of that "
                                       "moment, each with its content checksum (idempotent)", "200", "HandoverBatch",
                                       body="IdList", who=takers)},
        f"{base}/mark": {"post": _op(f"Mark {noun} migrated (idempotent)", "200", "IdItems", body="IdList", who=takers)},
        f"{base}/release": {"post": _op(f"A rollback: the {noun} are the monolith's again, unfrozen and unmarked "
                                        "(idempotent)", "200", "IdItems", body="IdList", who=takers)},
        f"{base}/checksums": {"get": _op(f"Every one of the {noun}' checksum and migration marks, a page at a time",
                                         "200", "HandoverChecksums", params=PAGING, who=f"{takers}, reports")},
    }

PATHS = {
    "/customers": {"get": _op("Search customers", "200", "CustomerPage", params=[_param("q"), *PAGING],
                              who=f"{STAFF}; {SERVICES}")},
    "/customers/{customer_id}": {"get": _op("Get a customer", "200", "Customer", params=[_path_id("customer_id")],
                                            extra=_not_found("customer"),
                                            who=f"{STAFF}; that customer; {SERVICES}; service notifications")},
    "/customers/{customer_id}/contracts": {"get": _op(
        "A customer's contracts", "200", "ContractList", params=[_path_id("customer_id")],
        extra=_not_found("customer"), who=f"{STAFF}; that customer; {SERVICES}")},
    "/coverage": {"get": _op("Is a product covered for a customer on a date", "200", "Coverage", params=[
        _param("customer_id", schema=ID, required=True), _param("product_id", schema=ID, required=True),
        _param("on", schema=DATE)], extra=_not_found("customer"), who=f"{STAFF}; that customer; {SERVICES}")},
    "/products": {"get": _op("All products", "200", "ProductList", who="any token")},
    "/products/{product_id}": {"get": _op("Get a product", "200", "Product", params=[_path_id("product_id")],
                                          extra=_not_found("product"), who="any token")},
    "/locales": {"get": _op("All locales", "200", "LocaleList", who="any token")},
    "/experts": {"get": _op("List experts, filtered by skill and locale", "200", "ExpertPage", params=[
        _param("product_id", schema=ID), _param("locale_id", schema=ID), *PAGING], who=f"{STAFF}; {SERVICES}")},
    "/experts/{expert_id}": {"get": _op("Get an expert", "200", "Expert", params=[_path_id("expert_id")],
                                        extra=_not_found("expert"),
                                        who=f"{STAFF}; that expert; {SERVICES}; service notifications"),
                             "put": _op("Write back an expert the experts service took on or (de)activated "
                                        "(idempotent)", "200", "RecordWritten", params=[_path_id("expert_id")],
                                        body="ExpertWriteBack", extra={"409": {
                                            "description": "the employee number is another expert's",
                                            "content": PROBLEM}}, who="services experts, backfill")},
    "/legacy-tickets": {"get": _op("Page through legacy ticket ids", "200", "TicketIdPage", params=[
        _param("migrated", schema={"enum": ["any", "true", "false"]}), _param("status"), *PAGING],
        who="services ticketing, backfill, reports")},
    "/legacy-tickets/batch": {"get": _op(
        "Several full legacy tickets at once (for the backfill)", "200", "LegacyTicketBatch",
        params=[_param("ids", schema={"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}, required=True)],
        who="services ticketing, backfill")},
    "/legacy-tickets/migrated": {"post": _op(
        "Mark several tickets migrated (idempotent)", "200", "MigrationMarks", body="IdList",
        who="services ticketing, backfill")},
    "/legacy-tickets/freeze": {"post": _op(
        "Take the copy of several tickets: legacy writes to them are refused from now on (409); returns "
        "them as of that moment (idempotent). With a reader, on whose behalf a ticket is first read, only "
        "those that reader may read are frozen and returned; the rest are listed missing", "200",
        "LegacyTicketBatch", body="FreezeRequest",
        who="services ticketing, backfill")},
    "/legacy-tickets/commitments": {"get": _op(
        "Open legacy work (assigned or in progress, not yet marked copied) holding one of these slots or this expert",
        "200", "IdItems", params=[_param("slots"), _param("expert_id", schema=ID)], who="services ticketing, backfill")},
    "/legacy-tickets/report-rows": {"get": _op(
        "Tickets only the legacy system holds, raised in [from, to): one array per ticket", "200", "ReportRows",
        params=[_param("from", schema=DATETIME, required=True), _param("to", schema=DATETIME, required=True),
                _param("with", schema={"type": "string", "enum": ["contract"]})],
        who="service reports")},
    "/legacy-tickets/report-now": {"get": _op(
        "Tickets only the legacy system holds: waiting now, expert loads from now, survey answers per expert",
        "200", "ReportNow", params=[_param("now", schema=DATETIME, required=True)],
        who="service reports")},
    "/legacy-tickets/writeback": {"put": _op(
        "Rollback: write tickets from the graph back into the legacy schema (upsert by id; clears the freeze "
        "and migration marks)", "200", "WrittenBack", body="WritebackBatch", who="service backfill")},
    "/legacy-tickets/stats": {"get": _op("How many legacy tickets exist and how many are migrated", "200",
                                         "LegacyStats", who="services ticketing, backfill, reports")},
    "/legacy-tickets/checksums": {"get": _op("Content checksums of legacy tickets, in id order", "200",
                                             "ChecksumPage", params=PAGING,
                                             who="services ticketing, backfill, reports")},
    "/legacy-tickets/{ticket_id}": {"get": _op(
        "A legacy ticket with slots, history and content checksum", "200", "LegacyTicket",
        params=[_path_id("ticket_id")], extra=_not_found("ticket"), who="services ticketing, backfill")},
    "/legacy-tickets/{ticket_id}/migrated": {"post": _op(
        "Mark a ticket migrated (idempotent); legacy writes to it are then refused with 409", "200",
        "MigrationMark", params=[_path_id("ticket_id")], extra=_not_found("ticket"),
        who="services ticketing, backfill")},
    "/legacy-tickets/{ticket_id}/notes": {"post": _op(
        "Add a note to a legacy ticket (409 once the new ticketing took its copy)", "200", "LegacyWrite",
        params=[_path_id("ticket_id")], body="LegacyNoteInput", extra={**_not_found("ticket"), **CONFLICT},
        who="staff writers (call_centre, admin)")},
    "/legacy-tickets/{ticket_id}/status": {"post": _op(
        "Change a legacy ticket's status (409 once the new ticketing took its copy)", "200", "LegacyWrite",
        params=[_path_id("ticket_id")], body="LegacyStatusInput", extra={**_not_found("ticket"), **CONFLICT},
        who="staff writers (call_centre, admin)")},
    "/notifications": {"post": _op(
        "Enqueue an email or SMS (durable; once per idempotency key)", "202", "Notification",
        body="NotificationRequest", who=SERVICES, extra={
            "200": {"description": "the key was seen before: the first notification",
                    "content": {"application/json": {"schema": _ref("Notification")}}},
            "409": {"description": "the key was used for another message", "content": PROBLEM}})},
    "/notifications/batch": {"post": _op(
        "Enqueue several notifications in one transaction: one outcome per item, in order (a reused key or an "
        "unknown recipient is that item's problem; a malformed item refuses the whole batch with 422)", "200",
        "NotificationBatch", body="NotificationBatchInput", who=SERVICES)},
    "/notifications/{notification_id}": {"get": _op("Delivery status", "200", "Notification",
                                                    params=[_path_id("notification_id")],
                                                    extra=_not_found("notification"), who=SERVICES)},
    "/kb/articles": {
        "get": _op("Ranked knowledge-base search", "200", "ArticleList", params=[
            _param("q"), _param("product_id", schema=ID), _param("limit", schema={"type": "integer", "minimum": 1,
                                                                                  "maximum": 100})],
            who=f"{STAFF}; experts; {SERVICES}"),
        "post": _op("Create an article", "201", "Article", body="ArticleInput",
                    who="admin; services experts, ticketing")},
    "/kb/articles/{article_id}": {
        "get": _op("Get an article", "200", "Article", params=[_path_id("article_id")],
                   extra=_not_found("article"), who=f"{STAFF}; experts; {SERVICES}"),
        "put": _op("Replace an article (409 once the knowledge service keeps it)", "200", "Article",
                   params=[_path_id("article_id")], body="ArticleInput",
                   extra={**_not_found("article"), "409": {"description": "the article moved to the knowledge "
                                                                          "service", "content": PROBLEM}},
                   who="admin; services experts, ticketing")},
    "/kb/articles/ids": {"get": _op(
        "Article ids in order, one page after `after` (`migrated=false`: not yet marked migrated)", "200", "IdItems",
        params=[_param("after", schema={"type": "integer", "minimum": 0}),
                _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}),
                _param("migrated", schema={"enum": ["false"]})], who="services knowledge, ticketing, backfill")},
    "/kb/articles/stats": {"get": _op("How many articles there are, frozen and marked migrated", "200",
                                      "ArticleStats", who="services knowledge, ticketing, backfill, reports")},
    "/kb/articles/release": {"post": _op(
        "A rollback: these articles are the legacy KB's again, unfrozen and unmarked (idempotent)", "200", "IdItems",
        body="IdList", who="services knowledge, backfill")},
    "/kb/articles/checksums": {"get": _op(
        "Every article's content checksum and migration marks, a page at a time", "200", "HandoverChecksums",
        params=PAGING, who="services knowledge, ticketing, backfill, reports")},
    "/kb/articles/freeze": {"post": _op(
        "Take the knowledge service's copy: refuse later legacy edits to these articles and return them as of "
        "that moment (idempotent)", "200", "ArticleBatch", body="IdList",
        who="services knowledge, ticketing, backfill")},
    "/kb/articles/mark": {"post": _op("Mark articles migrated (idempotent)", "200", "IdItems", body="IdList",
                                      who="services knowledge, ticketing, backfill")},
    "/kb/articles/{article_id}/published": {"put": _op(
        "Write back the version the knowledge service published (upsert by id)", "200", "Article",
        params=[_path_id("article_id")], body="ArticleInput", who="service knowledge")},
    "/outbox/owner": {
        "get": _op("Which side sends the outbox's messages (`since`: null while never switched)", "200",
                   "OutboxOwner", who=MOVERS),
        "put": _op("Switch the outbox to the notifications service or back (docs/adr/0023)", "200", "OutboxOwner",
                   body="OutboxOwnerInput", who=MOVERS)},
    "/outbox/messages/ids": {"get": _op(
        "Outbox message ids in order, one page after `after` (`migrated=false`: not yet copied)", "200", "IdItems",
        params=[_param("after", schema={"type": "integer", "minimum": 0}),
                _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}),
                _param("migrated", schema={"enum": ["false"]})], who=MOVERS)},
    "/outbox/messages/stats": {"get": _op("How many outbox messages, frozen and marked", "200", "ArticleStats",
                                          who=MOVERS)},
    "/outbox/messages/freeze": {"post": _op(
        "Take messages over: the outbox worker never sends a frozen message; one it is sending (a live lease) is "
        "not taken and is listed missing (idempotent)", "200", "OutboxMessageBatch", body="IdList", who=MOVERS)},
    "/outbox/messages/mark": {"post": _op("Mark messages copied (idempotent)", "200", "IdItems", body="IdList",
                                          who=MOVERS)},
    "/outbox/messages/hand-back": {"post": _op(
        "Queue messages here again after a rollback, unfrozen, under their own keys (idempotent)", "200",
        "HandBackResult", body="HandBackInput", who=MOVERS)},
    "/outbox/messages/checksums": {"get": _op(
        "Every message's checksum and migration marks, one page after `after`", "200", "OutboxChecksums",
        params=[_param("after", schema={"type": "integer", "minimum": 0})], who=MOVERS)},
    "/handover/{kind}/ids": {"get": _op(
        "Ids of customers, products, plans, locales or bills in order, one page after `after` (`migrated=false`: not yet "
        "marked)", "200", "IdItems", params=[_param("kind", "path", KIND, True),
                                            _param("after", schema={"type": "integer", "minimum": 0}),
                                            _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}),
                                            _param("migrated", schema={"enum": ["false"]})], who=TAKERS)},
    "/handover/{kind}/stats": {"get": _op("How many records of the kind, frozen and marked", "200", "ArticleStats",
                                          params=[_param("kind", "path", KIND, True)],
                                          who=f"{SERVICES}, customers")},
    "/handover/{kind}/freeze": {"post": _op(
        "Take the customers service's copy: refuse later legacy edits and return the records as of that moment, "
        "each with its content checksum (idempotent)", "200", "HandoverBatch", body="IdList",
        params=[_param("kind", "path", KIND, True)], who="services customers, backfill")},
    "/handover/{kind}/mark": {"post": _op("Mark records migrated (idempotent)", "200", "IdItems", body="IdList",
                                          params=[_param("kind", "path", KIND, True)],
                                          who="services customers, backfill")},
    "/handover/{kind}/release": {"post": _op(
        "A rollback: the rows are the monolith's again, unfrozen and unmarked (idempotent)", "200", "IdItems",
        body="IdList", params=[_param("kind", "path", KIND, True)], who="services customers, backfill")},
    "/handover/accounts/ids": {"get": _op(
        "Ids of login accounts in order, one page after `after` (`migrated=false`: not yet marked)", "200", "IdItems",
        params=[_param("after", schema={"type": "integer", "minimum": 0}),
                _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 500}),
                _param("migrated", schema={"enum": ["false"]})], who=f"{ACCOUNT_TAKERS}, reports")},
    "/handover/accounts/stats": {"get": _op("How many login accounts, frozen and marked", "200", "ArticleStats",
                                            who=f"{SERVICES}, customers, identity")},
    "/handover/accounts/freeze": {"post": _op(
        "Take the identity service's copy of login accounts, each password hash as it is: refuse later legacy edits "
        "and return them as of that moment, each with its content checksum (idempotent)", "200", "HandoverBatch",
        body="IdList", who=ACCOUNT_TAKERS)},
    "/handover/accounts/mark": {"post": _op("Mark login accounts migrated (idempotent)", "200", "IdItems",
                                            body="IdList", who=ACCOUNT_TAKERS)},
    "/handover/accounts/release": {"post": _op(
        "A rollback: the login accounts are the monolith's again, unfrozen and unmarked (idempotent)", "200",
        "IdItems", body="IdList", who=ACCOUNT_TAKERS)},
    "/handover/accounts/checksums": {"get": _op(
        "Every login account's checksum and migration marks, a page at a time", "200", "HandoverChecksums",
        params=PAGING, who=f"{ACCOUNT_TAKERS}, reports")},
    "/handover/accounts/{account_id}": {"put": _op(
        "Write back a login account as the identity service holds it, whole (idempotent; the row stays frozen)",
        "200", "HandoverRecord", params=[_path_id("account_id")], body="AccountWriteBack",
        extra={"409": {"description": "the account is still the monolith's, or its name is another's",
                       "content": PROBLEM}}, who=ACCOUNT_TAKERS)},
    "/handover/accounts/named": {"get": _op(
        "The id of the login account of this name (exact), for the identity service to take it over at its first "
        "sign-in there", "200", "AccountNamed", params=[_param("username", schema={"type": "string", "maxLength": 80},
                                                                required=True)],
        extra=_not_found("account"), who=ACCOUNT_TAKERS)},
    "/handover/{kind}/checksums": {"get": _op(
        "Every record's checksum and migration marks, a page at a time", "200", "HandoverChecksums",
        params=[_param("kind", "path", KIND, True), *PAGING], who=TAKERS)},
    **_own_handover("survey-templates", "survey templates", SURVEY_TAKERS, f"{SERVICES}, customers"),
    "/customers/{customer_id}/contact": {"put": _op(
        "Write back a customer's contact details as the customers service holds them (the row stays frozen)",
        "200", "HandoverRecord", params=[_path_id("customer_id")], body="ContactInput",
        extra={**_not_found("customer"), "409": {"description": "the customer was never taken over",
                                                  "content": PROBLEM}}, who="services customers, backfill")},
    "/handover/{kind}/{record_id}": {"put": _op(
        "Write back a product, plan, locale or contract the customers service created or changed, whole "
        "(idempotent; a new row is born frozen and marked)", "200", "RecordWritten",
        params=[_param("kind", "path", {"enum": ["products", "plans", "locales", "contracts"]}, True),
                _path_id("record_id")], body="RecordWriteBack",
        extra={"404": {"description": "no write-back of that kind", "content": PROBLEM},
               "409": {"description": "the row is still the monolith's, or its code is another row's",
                       "content": PROBLEM}}, who="services customers, backfill")},
    "/staff-alerts": {
        "get": _op("Staff alerts, newest first", "200", "StaffAlertPage", params=PAGING, who=f"{STAFF}; {SERVICES}"),
        "post": _op("Raise a staff alert", "201", "StaffAlert", body="StaffAlertInput", who=SERVICES)},
    "/staff-alerts/batch": {"post": _op("Raise several staff alerts in one transaction (all or, if any item is "
                                        "invalid, none)", "201", "StaffAlertBatch", body="StaffAlertBatchInput",
                                        who=SERVICES)},
    "/openapi.json": {"get": {"summary": "This document", "security": [{"bearer": []}], "parameters": [],
                              "responses": {"200": {"description": "OpenAPI 3.1 document",
                                                    "content": {"application/json": {"schema": {"type": "object"}}}},
                                            **ERRORS}}},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sysops Squad bridge API", "version": VERSION,
                 "description": "The monolith's interface for the new services. Every route needs "
                                "`Authorization: Bearer <token>` (user or service token, audience `bridge`)."},
        "servers": [{"url": PREFIX}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
