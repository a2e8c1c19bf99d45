"""The notifications pages, embedded in the legacy screens: the outbox (staff: everything sent, the
dead letters with a resend button), a customer's messages (on their page), and how a customer is
reached (the customer, or staff for them). Who acts comes from the verified token only.

Staff read how a customer is reached as facts; "Change how we reach them" swaps the form in, and a save
or "Cancel" swaps the facts back. A customer has the form at once (ADR 0046)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from foundation.vocabulary import STAFF_ROLES, STAFF_WRITERS
from fragments.kit.auth import allow, current, forwarded_csrf, require_customer

from ..domain.messages import LABELS, OPTIONAL, Channel, InvalidMessage, Recipient, State
from ..services.ports import MessageNotFound, RecipientUnavailable, RecipientUnknown
from .api import _n

bp = Blueprint("views", __name__)
PEOPLE = (*STAFF_ROLES, "customer")
CHANGERS = (*STAFF_WRITERS, "customer")
OPTIONAL_LABELS = {"reminder": "Reminders before a visit", "survey": "A short survey after a visit"}


def _page(template: str, status: int = 200, **context: Any):
    principal = current()
    return render_template(template, csrf=forwarded_csrf(), role=principal.role, user=principal.subject,
                           may_change=principal.role in CHANGERS, state_labels=LABELS,
                           **context), status


@bp.get("/outbox")
@allow(roles=STAFF_ROLES)
def outbox(message: str = "", status: int = 200):
    """Newest first; ?state= narrows it (failed: the dead-letter list)."""
    state = request.args.get("state", "")
    chosen = State(state) if state in tuple(State) else None
    return _page("notifications/outbox.html", status, messages=_n().outboxes.recent([chosen] if chosen else None),
                 state=chosen, states=list(State), counts=_n().outboxes.counts(), message=message,
                 alerts=_n().alerting.recent())


@bp.post("/outbox/<message_id>/resend")
@allow(roles=STAFF_WRITERS)
def resend(message_id: str):
    try:
        sent = _n().delivery.resend(message_id, current().subject)
    except MessageNotFound:
        abort(404, description="There is no such message.")
    except InvalidMessage as exc:
        return outbox(message=str(exc.errors.get("state", exc)), status=409)
    return outbox(message=f"“{sent.subject}” is queued to be sent again.")


@bp.get("/customers/<int:customer_id>/messages")
@allow(roles=PEOPLE)
def customer_messages(customer_id: int):
    require_customer(customer_id)
    return _page("notifications/customer_messages.html", customer_id=customer_id,
                 messages=_n().outboxes.of(Recipient("customer", customer_id)))


def _preferences(customer_id: int, errors: dict[str, str] | None = None, message: str = "",
                 chosen: dict[str, Any] | None = None, editing: bool = False) -> dict[str, Any]:
    """What the preferences show, as facts or as the form (404 for no such customer, 503 while their
    record cannot be read). The form: for the customer, for staff who asked to change them, and whenever
    what was sent is shown again with what was wrong."""
    editing = editing or current().role == "customer" or bool(errors)
    recipient = Recipient("customer", customer_id)
    try:
        # The facts name the channel only (the number or address is its owner's, on the same page):
        # what this service holds does for them. The form labels each channel with its address.
        contact = _n().preferences.of(recipient) if editing else _n().preferences.chosen(recipient)
    except RecipientUnknown:
        abort(404, description="There is no such customer.")
    except RecipientUnavailable:
        abort(503, description="The customer's record cannot be read right now. Try again in a moment.")
    shown = chosen or {"channel": contact.preferred, "opted_out": sorted(contact.opted_out)}
    return {"customer_id": customer_id, "contact": contact, "shown": shown, "channels": list(Channel),
            "optional": OPTIONAL, "optional_labels": OPTIONAL_LABELS, "errors": errors or {}, "message": message,
            "editing": editing}


def _preferences_page(customer_id: int, errors: dict[str, str] | None = None, message: str = "", status: int = 200,
                      chosen: dict[str, Any] | None = None, editing: bool = False):
    return _page("notifications/preferences.html", status, **_preferences(customer_id, errors, message, chosen, editing))


@bp.get("/customers/<int:customer_id>")
@allow(roles=STAFF_ROLES)
def customer(customer_id: int):
    """How the customer is reached and what was sent to them, in one answer (the staff's customer page)."""
    return _page("notifications/customer.html", **_preferences(customer_id),
                 messages=_n().outboxes.of(Recipient("customer", customer_id)))


@bp.get("/customers/<int:customer_id>/preferences")
@allow(roles=PEOPLE)
def preferences(customer_id: int):
    require_customer(customer_id)
    return _preferences_page(customer_id)


@bp.get("/customers/<int:customer_id>/preferences/change")
@allow(roles=CHANGERS)
def preferences_form(customer_id: int):
    """The form that changes how a customer is reached, as "Change how we reach them" opens it."""
    require_customer(customer_id)
    return _preferences_page(customer_id, editing=True)


@bp.post("/customers/<int:customer_id>/preferences")
@allow(roles=CHANGERS)
def choose(customer_id: int):
    require_customer(customer_id)
    wanted = {"channel": request.form.get("channel", ""),
              "opted_out": [c for c in OPTIONAL if request.form.get(f"send_{c}") != "on"]}
    try:
        _n().preferences.choose(Recipient("customer", customer_id), wanted["channel"], wanted["opted_out"])
    except InvalidMessage as exc:
        return _preferences_page(customer_id, exc.errors, status=422, chosen=wanted)
    return _preferences_page(customer_id, message="Saved. Messages from now on follow these choices.")
