from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from foundation.disclosure import Shown, for_customer
from foundation.vocabulary import STAFF_WRITERS

from .. import legacy_tickets
from ..access import allow
from ..composition.slots import enabled as fragment_enabled
from ..forms import FormErrors, parse_new_ticket, parse_note
from ..legacy_tickets import TicketMigratedError, TicketRuleError
from ..models import PERIODS, STAFF_ROLES, TICKET_STATUSES, Customer, LegacyTicket
from ._paging import current_page

bp = Blueprint("tickets", __name__)
EDIT_ROLES = STAFF_WRITERS


@bp.get("/tickets")
@allow(*STAFF_ROLES)
def index():
    status = request.args.get("status", "")
    status = status if status in TICKET_STATUSES else ""
    page = current_page()
    query = select(LegacyTicket).order_by(LegacyTicket.created_at.desc(), LegacyTicket.id.desc())
    if status:
        query = query.where(LegacyTicket.status == status)
    tickets = list(g.db.scalars(query.offset(page.offset).limit(page.size + 1)))
    return render_template("shell/ticket_list.html", tickets=tickets[: page.size], has_more=len(tickets) > page.size,
                           page=page, status=status, statuses=TICKET_STATUSES)


def _visible_ticket(ticket_id: int) -> LegacyTicket:
    ticket = g.db.get(LegacyTicket, ticket_id) or abort(404)
    user = g.user
    if user.role == "customer" and ticket.customer_id != user.customer_id:
        abort(404)  # a customer must not learn that someone else's ticket exists
    if user.role == "expert" and ticket.assigned_expert_id != user.expert_id:
        abort(404)
    return ticket


@bp.get("/tickets/<int:ticket_id>")
@allow(*STAFF_ROLES, "customer", "expert")
def detail(ticket_id: int):
    if fragment_enabled("ticketing"):
        # The ticketing service decides who may read it, once, on its copy (a legacy ticket moves in at
        # its first permitted read): no legacy row is read here.
        return render_template("shell/ticket_detail_fragment.html", ticket_id=ticket_id)
    return _render_detail(_visible_ticket(ticket_id), errors={})


@bp.get("/tickets/queue")
@allow(*STAFF_ROLES)
def queue():
    return render_template("shell/ticket_queue.html")


def _render_detail(ticket: LegacyTicket, errors: dict[str, str], status: int = 200):
    allowed = sorted(legacy_tickets.ALLOWED_TRANSITIONS.get(ticket.status, set()))
    return render_template("shell/ticket_detail.html", ticket=ticket, errors=errors, next_statuses=allowed, disclose=_disclose,
                           can_edit=g.user.role in EDIT_ROLES and ticket.frozen_at is None), status


def _disclose(entry) -> Shown | None:
    """A history entry as the signed-in person may see it (customers: foundation.disclosure)."""
    user = g.user
    if user.role != "customer":
        return Shown(entry.actor, entry.detail)
    return for_customer(entry.action, entry.actor, entry.detail, user.username)


def _refused_because_migrated(ticket: LegacyTicket, exc: TicketMigratedError):
    g.db.rollback()
    return _render_detail(ticket, {"migrated": str(exc)}, 409)


def _legacy_change(ticket_id: int, change):
    """Apply one legacy write to a ticket, or re-render its page with why it was refused."""
    ticket = _visible_ticket(ticket_id)
    try:
        change(ticket)
    except TicketMigratedError as exc:
        return _refused_because_migrated(ticket, exc)
    except (FormErrors, TicketRuleError) as exc:
        g.db.rollback()
        return _render_detail(ticket, exc.errors, 422)
    g.db.commit()
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.post("/tickets/<int:ticket_id>/status")
@allow(*EDIT_ROLES)
def change_status(ticket_id: int):
    return _legacy_change(ticket_id, lambda ticket: legacy_tickets.change_status(
        g.db, ticket, request.form.get("status", ""), legacy_tickets.actor_name(g.user), parse_note(request.form),
        dt.datetime.now()))


@bp.post("/tickets/<int:ticket_id>/notes")
@allow(*EDIT_ROLES)
def add_note(ticket_id: int):
    return _legacy_change(ticket_id, lambda ticket: legacy_tickets.add_note(
        g.db, ticket, legacy_tickets.actor_name(g.user), parse_note(request.form), dt.datetime.now()))


@bp.route("/customers/<int:customer_id>/tickets/new", methods=["GET", "POST"])
@allow(*EDIT_ROLES)
def raise_for_customer(customer_id: int):
    customer = g.db.get(Customer, customer_id) or abort(404)
    return _raise(customer, channel="phone", form_action=url_for("tickets.raise_for_customer", customer_id=customer_id))


@bp.route("/my/tickets/new", methods=["GET", "POST"])
@allow("customer")
def raise_as_customer():
    customer = g.db.get(Customer, g.user.customer_id) or abort(404)
    return _raise(customer, channel="web", form_action=url_for("tickets.raise_as_customer"))


def _raise(customer: Customer, channel: str, form_action: str):
    if fragment_enabled("ticketing"):
        # New tickets belong to the ticketing service: the legacy raise logic is no longer used.
        if request.method == "POST":
            return redirect(form_action, 303)
        return render_template("shell/raise_ticket_fragment.html", customer=customer)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            new = parse_new_ticket(request.form, channel)
            ticket = legacy_tickets.raise_ticket(g.db, customer, new, g.user, dt.datetime.now())
            g.db.commit()
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
        except (FormErrors, TicketRuleError) as exc:
            g.db.rollback()
            errors = exc.errors
    today = dt.date.today()
    return render_template("shell/raise_ticket.html", customer=customer, errors=errors, form=request.form,
                           form_action=form_action, periods=list(PERIODS), min_date=today + dt.timedelta(days=1),
                           active_contracts=[c for c in customer.contracts if c.status == "active"]
                           ), (422 if errors else 200)
