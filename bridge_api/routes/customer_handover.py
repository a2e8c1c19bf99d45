"""The customers service takes over customers (with their contracts), products, plans and locales, one
record at a time (docs/adr/0025), and the identity service login accounts (docs/adr/0032): the freeze
protocol's legacy half, as for tickets and articles. Each kind names the services that may take it:
an account's copy carries its password hash, so accounts have routes of their own granted to the identity
service (and the operator's backfill) alone.

- `GET  /handover/<kind>/ids?migrated=false&after=`  ids not yet marked, in order, one page
- `GET  /handover/<kind>/stats`                      how many, how many frozen, how many marked
- `POST /handover/<kind>/freeze {ids}`               the copy: frozen rows, as they are, with checksums
- `POST /handover/<kind>/mark {ids}`                 the copy is done (idempotent)
- `GET  /handover/<kind>/checksums?cursor=`          every record's checksum and marks, for reconciliation
- `POST /handover/<kind>/release {ids}`              a rollback: the monolith owns the rows again (idempotent)
- `/handover/accounts/...`                          the same for login accounts, for the identity service
  (and the operator's backfill) alone: a copy carries the password hash
- `/handover/survey-templates/...`                  the same for survey templates, for the ticketing service
- `GET  /handover/accounts/named?username=`         the id of the account of that name (a first sign-in)
- `PUT  /customers/<id>/contact`                     the service writes a customer's contact details back
  (old readers of `/customers` and the legacy screens stay current; a rollback relies on it)
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from foundation.problems import Problem
from shell_app.forms import clean_text
from shell_app.models import Bill, Contract, Customer, Locale, Plan, Product, SurveyTemplate, UserAccount
from shell_app.models.customers import NOTIFICATION_PREFERENCES

from .. import serializers as s
from ..auth import SERVICES, grant
from ..paging import page_of, page_request
from ._common import db, freeze_rows, handover_stats, id_list, ids_page, invalid, json_body, mark_rows, text_field

MIGRATORS = ("customers", "backfill")
ACCOUNT_TAKERS = ("identity", "backfill")
SURVEY_TAKERS = ("ticketing", "backfill")
MAX_IDS = 500

# Per kind: the model, how to load a page of it, and its content as published.
KINDS = {
    "customers": (Customer, (selectinload(Customer.contracts).selectinload(Contract.products),), s.customer_content),
    "products": (Product, (), s.product),
    "plans": (Plan, (selectinload(Plan.products),), s.plan_content),
    "locales": (Locale, (), s.locale),
    "bills": (Bill, (selectinload(Bill.payments),), s.bill_content),
}
OWN_KINDS = {"accounts": (UserAccount, (), s.account_content),
             "survey-templates": (SurveyTemplate, (selectinload(SurveyTemplate.questions),), s.survey_template_content)}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/handover/<kind>/ids", "handover_ids", ids)
    bp.add_url_rule("/handover/<kind>/stats", "handover_stats", stats)
    bp.add_url_rule("/handover/<kind>/freeze", "handover_freeze", freeze, methods=["POST"])
    bp.add_url_rule("/handover/<kind>/mark", "handover_mark", mark, methods=["POST"])
    bp.add_url_rule("/handover/<kind>/checksums", "handover_checksums", checksums)
    bp.add_url_rule("/handover/<kind>/release", "handover_release", release, methods=["POST"])
    own_kind_routes(bp, "accounts", "account_handover", ACCOUNT_TAKERS, (*SERVICES, "customers", "identity"))
    own_kind_routes(bp, "survey-templates", "survey_template_handover", SURVEY_TAKERS, (*SERVICES, "customers"))
    bp.add_url_rule("/handover/accounts/named", "account_handover_named", account_named)
    bp.add_url_rule("/customers/<int:customer_id>/contact", "customer_contact_written", write_contact,
                    methods=["PUT"])


def _kind(kind: str):
    if kind in OWN_KINDS:  # reached only through their own routes (own_kind_routes), granted apart
        return OWN_KINDS[kind]
    if kind not in KINDS:
        raise Problem(404, "Not Found", f"no handover of '{kind}': one of {', '.join(KINDS)}")
    return KINDS[kind]


def _records(kind: str, record_ids: list[int]) -> tuple[list[dict], list[int]]:
    model, loads, content = _kind(kind)
    rows = list(db().scalars(select(model).options(*loads).where(model.id.in_(record_ids)).order_by(model.id)
                             .execution_options(populate_existing=True)))
    found = {r.id for r in rows}
    return [s.handover(r, content(r)) for r in rows], [i for i in record_ids if i not in found]


@grant(services=(*MIGRATORS, "reports"))
def ids(kind: str):
    return ids_page(_kind(kind)[0], MAX_IDS)


@grant(services=(*SERVICES, "customers"))  # counts only: every service's migration progress shows them
def stats(kind: str):
    return handover_stats(_kind(kind)[0])


@grant(services=MIGRATORS)
def freeze(kind: str):
    """Lock the rows (id order), refuse every later legacy edit, return them as they are, in one
    transaction. Idempotent: a frozen record keeps its first freeze time."""
    model, _, _ = _kind(kind)
    return freeze_rows(model, id_list(json_body().get("ids"), MAX_IDS), lambda taken: _records(kind, taken))


@grant(services=MIGRATORS)
def mark(kind: str):
    model, _, _ = _kind(kind)
    record_ids = id_list(json_body().get("ids"), MAX_IDS)
    mark_rows(model, record_ids)
    return jsonify(items=record_ids)


@grant(services=MIGRATORS)
def release(kind: str):
    """The rollback's last step for these rows: unfrozen and unmarked, the monolith's own again (its
    screens edit them; a later take-over copies them afresh). Idempotent."""
    model, _, _ = _kind(kind)
    record_ids = id_list(json_body().get("ids"), MAX_IDS)
    session = db()
    session.execute(update(model).where(model.id.in_(record_ids)).values(frozen_at=None, migrated_at=None))
    session.commit()
    return jsonify(items=record_ids)


@grant(services=(*MIGRATORS, "reports"))
def checksums(kind: str):
    model, loads, content = _kind(kind)
    page = page_request()
    rows = list(db().scalars(select(model).options(*loads).where(model.id > page.after_id).order_by(model.id)
                             .limit(page.limit + 1)))
    rows, cursor = page_of(rows, page)
    items = [{"id": r.id, "checksum": s.handover(r, content(r))["checksum"], "frozen_at": s.iso(r.frozen_at),
              "migrated_at": s.iso(r.migrated_at)} for r in rows]
    return jsonify(items=items, next_cursor=cursor)


def own_kind_routes(bp: Blueprint, kind: str, endpoint: str, takers: tuple[str, ...], counters: tuple[str, ...]) -> None:
    """The same steps for a kind another service takes over, granted to it alone (login accounts: the
    identity service, a copy carries the password hash; survey templates: the ticketing service).
    `counters`: who may read its counts (every service's migration progress shows them)."""
    steps = (("ids", ids, (*takers, "reports"), "GET"), ("stats", stats, counters, "GET"),
             ("freeze", freeze, takers, "POST"), ("mark", mark, takers, "POST"),
             ("checksums", checksums, (*takers, "reports"), "GET"), ("release", release, takers, "POST"))
    for step, view, granted, method in steps:
        def bound(view=view):
            return view.__wrapped__(kind)
        bp.add_url_rule(f"/handover/{kind}/{step}", f"{endpoint}_{step}", grant(services=granted)(bound),
                        methods=[method])


@grant(services=ACCOUNT_TAKERS)
def account_named():
    """The id of the account signing in by this name (exact, as the monolith's login compares it), so
    the identity service can take it over at its first sign-in there: {id} or 404."""
    username = (request.args.get("username") or "")[:80]
    found = db().scalar(select(UserAccount.id).where(UserAccount.username == username)) if username else None
    if found is None:
        raise Problem(404, "Not Found", "no account of that name", kind="account-unknown")
    return jsonify(id=found)


CONTACT = {"email": 200, "phone": 40, "address_line": 200, "city": 80, "postcode": 16}


@grant(services=MIGRATORS)  # the service, and the operator's reconciliation (sysops customers-reconcile)
def write_contact(customer_id: int):
    """The customers service's current contact details of a customer it holds, written back (the row
    stays frozen to legacy edits). Idempotent: the same details again write the same row."""
    body = json_body()
    errors: dict[str, str] = {}
    values = {name: text_field(body, name, errors, max_length=size, min_length=0) for name, size in CONTACT.items()}
    preference = body.get("notification_preference")
    if preference not in NOTIFICATION_PREFERENCES:
        errors["notification_preference"] = f"one of {', '.join(NOTIFICATION_PREFERENCES)}"
    if errors:
        raise invalid(errors)
    session = db()
    customer = session.scalar(select(Customer).where(Customer.id == customer_id).with_for_update())
    if customer is None:
        raise Problem(404, "Not Found", f"no customer {customer_id}")
    if customer.frozen_at is None:
        raise Problem(409, "Conflict", f"customer {customer_id} was never taken over: nothing to write back",
                      kind="customer-not-migrated")
    for name, value in values.items():
        setattr(customer, name, clean_text(value))
    customer.notification_preference = preference
    session.commit()
    return jsonify(s.handover(customer, s.customer_content(customer)))
