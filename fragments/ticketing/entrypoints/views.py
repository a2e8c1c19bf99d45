"""HTMX views: the ticket regions of the legacy screens. Every response is a fragment root that the
shell swaps into its slot (or wraps in a full page for a direct visit)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from flask import Blueprint, current_app, render_template, request, url_for

from foundation.parsing import parse_digits
from foundation.vocabulary import STAFF_ROLES as STAFF
from foundation.vocabulary import STAFF_WRITERS, iso
from fragments.kit.after_response import after_response
from fragments.kit.auth import allow, current, forwarded_csrf, require_customer

from ..domain.slots import describe, upcoming_choices
from ..domain.states import DispatchOutcome, RaiseChannel, State, TransitionRefused
from ..domain.survey_forms import KINDS as SURVEY_KINDS
from ..domain.survey_forms import MAX_QUESTIONS, SCORES, InvalidSurvey
from ..domain.ticket import Ticket
from ..services.follow_ups import leave_to_worker
from ..services.management import MAX_DESCRIPTION, InvalidTicket, RaiseRequest, new_raise_key
from ..services.ports import StaleTicket
from ..services.surveys import SurveyClosed, TemplateChanged
from ..services.visits import RISKS
from .common import actor, disclosed, services, visible_ticket
from .panels import RenderedPanels

bp = Blueprint("views", __name__)
RAISERS = (*STAFF_WRITERS, "customer")


def _page(template: str, http_status: int = 200, **context: Any):
    return render_template(template, csrf=forwarded_csrf(), principal=current(), describe_slot=_describe,
                           **context), http_status


def _describe(iso: str) -> str:
    try:
        return describe(dt.datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return iso or ""


def _products() -> dict[int, str]:
    return {p["id"]: p["name"] for p in services().management.products()}


@bp.get("/customers/<int:customer_id>/tickets")
@allow(roles=(*STAFF, "customer"))
def customer_tickets(customer_id: int):
    require_customer(customer_id)
    if current().role == "customer":  # their survey invitations depend on more than the tickets
        return _customer_panel(customer_id)
    management = services().management
    key = (customer_id, current().role, request.script_root, management.panel_version(customer_id),
           tuple(sorted(_products().items())))
    panels = current_app.extensions.setdefault("customer_panels", RenderedPanels())  # one per app
    return panels.get(key, lambda: _customer_panel(customer_id)[0]), 200


def _customer_panel(customer_id: int, status: int = 200, received: Ticket | None = None,
                    names: dict[int, str] | None = None):
    customer = current().role == "customer"  # their survey invitations need whole tickets
    tickets = services().management.list(customer_id=customer_id, limit=50, summary=not customer)
    surveys = [t for t in tickets if t.status == State.CLOSED and services().surveys.open_for(t)] if customer else []
    return _page("ticketing/customer_tickets.html", status, customer_id=customer_id, tickets=tickets,
                 products=_products(), can_raise=current().role in RAISERS, surveys=surveys, received=received,
                 names=names or {})


def _inline(customer_id: int) -> bool:
    """Asked by htmx for the raise area of the customer's panel (the list stays in view below it)."""
    return request.headers.get("HX-Target") == f"tk-raise-{customer_id}"


def _raise_form(customer_id: int, errors: dict[str, str], form: dict[str, Any], status: int = 200):
    management = services().management
    inline = _inline(customer_id)
    return _page("ticketing/_raise_form.html" if inline else "ticketing/raise_form.html", status,
                 customer_id=customer_id, errors=errors, form=form, inline=inline,
                 products=management.covered_products(customer_id), choices=upcoming_choices(management.clock()),
                 max_description=MAX_DESCRIPTION)


@bp.get("/customers/<int:customer_id>/tickets/new")
@allow(roles=RAISERS)
def raise_form(customer_id: int):
    require_customer(customer_id)
    services().management.customer(customer_id)  # 404 for no such customer; the raise asks again from here
    return _raise_form(customer_id, {}, {"slots": [], "raise_key": new_raise_key()})


@bp.post("/customers/<int:customer_id>/tickets")
@allow(roles=RAISERS)
def raise_ticket(customer_id: int):
    require_customer(customer_id)
    product = request.form.get("product_id", "")
    form = {"product_id": product, "description": request.form.get("description", ""),
            "slots": request.form.getlist("slots"), "raise_key": request.form.get("raise_key") or None}
    principal = current()
    raise_request = RaiseRequest(customer_id=customer_id, product_id=parse_digits(product),
                                 description=form["description"], slots=form["slots"],
                                 channel=RaiseChannel.of(principal.role), actor=actor(),
                                 raise_key=form["raise_key"])
    # "Received" once stored: the worker confirms and dispatches it (shown by polling). Without a worker
    # (FOLLOW_UP_IN_PROCESS: the fragment's own tests) this process does it just after the answer.
    later = after_response if current_app.config.get("FOLLOW_UP_IN_PROCESS") else leave_to_worker
    try:
        ticket = services().orchestrator.raise_ticket(raise_request, later=later)
    except InvalidTicket as invalid:
        if "raise_key" in invalid.errors or not form["raise_key"]:
            form["raise_key"] = new_raise_key()
        return _raise_form(customer_id, invalid.errors, form, 422)
    if _inline(customer_id):  # "received" in the raise area, the new row on top of the list in view
        return _page("ticketing/_raised.html", 201, customer_id=customer_id, received=ticket, names=_names(ticket),
                     products=_products())
    # The panel comes back with the confirmation on top of the customer's list, the new ticket in it.
    return _customer_panel(customer_id, 201, received=ticket, names=_names(ticket))


@bp.get("/tickets/<int:ticket_id>/received-status")
@allow(roles=RAISERS)
def received_status(ticket_id: int):
    """The part of "received" that follows: the confirmation and the offered expert, once known."""
    ticket = visible_ticket(ticket_id)
    polls = parse_digits(request.args.get("polls", "0"), 3) or 0  # 0..999
    return _page("ticketing/_received_status.html", ticket=ticket, names=_names(ticket), polls=polls)


def _names(ticket: Ticket) -> dict[int, str]:
    return services().assignment.offers.expert_names([a.expert_id for a in ticket.allocations])


@bp.get("/tickets")
@allow(roles=STAFF)
def ticket_list():
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in State}:
        status = None
    customer = request.args.get("customer_id", "")
    customer_id = parse_digits(customer)
    tickets = services().management.list(customer_id=customer_id, statuses=[status] if status else None, limit=100,
                                         summary=True)
    return _page("ticketing/ticket_list.html", tickets=tickets, products=_products(), status=status or "",
                 customer_id=customer_id or "", states=[s.value for s in State])


@bp.get("/queue")
@allow(roles=STAFF)
def queue(message: str = "", status: int = 200):
    now = services().management.clock()
    unassigned = services().management.list(statuses=[State.UNASSIGNED, State.NEW], limit=200)
    waiting = services().management.list(statuses=[State.OFFERED, State.ASSIGNED, State.IN_PROGRESS], limit=500)
    at_risk = [t for t in waiting if t.extra.get("at_risk")]
    overdue = [t for t in waiting if t.is_overdue(now) and not t.extra.get("at_risk")]
    promised = sorted(((t, due) for t in unassigned + waiting if (due := t.breach_at()) is not None),
                      key=lambda pair: (pair[1], pair[0].id))
    on_hold = sorted((t for t in unassigned + waiting if t.waiting_since is not None), key=lambda t: t.waiting_since)
    unassigned = sorted(unassigned, key=lambda t: (t.breach_at() or dt.datetime.max, t.id))  # nearest breach first
    return _page("ticketing/queue.html", status, unassigned=unassigned, overdue=overdue, at_risk=at_risk, risks=RISKS,
                 on_hold=on_hold,
                 products=_products(), now=now, message=message,
                 breaches=[(t, due, time_left(due - now)) for t, due in promised[:BREACH_ROWS]])


BREACH_ROWS = 50


def time_left(left: dt.timedelta) -> str:
    """"2 h 5 min left", "breached 40 min ago": what an agent reads at a glance."""
    minutes = int(abs(left).total_seconds() // 60)
    text = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
    return f"{text} left" if left >= dt.timedelta() else f"breached {text} ago"


@bp.post("/tickets/<int:ticket_id>/reschedule")
@allow(roles=STAFF_WRITERS)
def reschedule(ticket_id: int):
    """One click for a visit at risk: its booking or offer ends and assignment runs again, at the ticket's
    own slots still ahead (or the next ones), with another expert."""
    ticket = visible_ticket(ticket_id)
    now = services().management.clock()
    slots = [iso(s) for s in ticket.future_slots(now)] or [value for value, _ in upcoming_choices(now)[:3]]
    try:
        outcome = services().orchestrator.reschedule(ticket, slots, actor(), "staff: visit at risk")
    except (TransitionRefused, StaleTicket, InvalidTicket) as refused:
        return queue(message=f"{ticket.reference} was not rescheduled: {refused}", status=409)
    told = {"offered": "offered to another expert", "unassigned": "in the unassigned queue: nobody else is free"}
    return queue(message=f"{ticket.reference} rescheduled: {told.get(outcome.outcome, outcome.outcome)}.")


@bp.get("/tickets/<int:ticket_id>")
@allow(roles=(*STAFF, "customer", "expert"))
def ticket_detail(ticket_id: int):
    return _detail(visible_ticket(ticket_id), {})


def _detail(ticket: Ticket, errors: dict[str, str], status: int = 200, message: str = ""):
    principal = current()
    actions = ticket.allowed_actions() if principal.role in STAFF_WRITERS else []
    history, allocations = disclosed(ticket, principal)
    return _page("ticketing/ticket_detail.html", status, ticket=ticket, errors=errors, message=message,
                 products=_products(), names=_names(ticket), actions=actions, history=history, allocations=allocations,
                 can_note=principal.role in (*STAFF_WRITERS, "customer") and ticket.is_open)


def _change(ticket_id: int, change: Callable[[Ticket], tuple[str, Ticket | None]]) -> Any:
    """Read the ticket once, change it, and render what the change saved; a change that also moved
    offers or bookings (cancel, reopen, dispatch) answers None, and the ticket is read again to show them."""
    ticket = visible_ticket(ticket_id)
    try:
        message, saved = change(ticket)
    except InvalidTicket as invalid:
        return _detail(ticket, invalid.errors, 422)
    except (TransitionRefused, StaleTicket) as refused:
        return _detail(visible_ticket(ticket_id), {"form": str(refused)}, 409)
    return _detail(saved if saved is not None else visible_ticket(ticket_id), {}, message=message)


@bp.post("/tickets/<int:ticket_id>/notes")
@allow(roles=(*STAFF_WRITERS, "customer"))
def add_note(ticket_id: int):
    def note(ticket: Ticket) -> tuple[str, Ticket | None]:
        return "Note added.", services().management.add_note(ticket, request.form.get("note", ""), actor())

    return _change(ticket_id, note)


@bp.post("/tickets/<int:ticket_id>/waiting")
@allow(roles=STAFF_WRITERS)
def wait_on_customer(ticket_id: int):
    def wait(ticket: Ticket) -> tuple[str, Ticket | None]:
        return ("Waiting on the customer: the plan's deadlines are paused until they answer.",
                services().management.wait_on_customer(ticket, request.form.get("reason", ""), actor()))

    return _change(ticket_id, wait)


@bp.post("/tickets/<int:ticket_id>/answered")
@allow(roles=STAFF_WRITERS)
def customer_answered(ticket_id: int):
    def answered(ticket: Ticket) -> tuple[str, Ticket | None]:
        return ("The customer answered: the deadlines go on, later by the working time of the wait.",
                services().management.customer_answered(ticket, actor()))

    return _change(ticket_id, answered)


@bp.post("/tickets/<int:ticket_id>/description")
@allow(roles=STAFF_WRITERS)
def update_description(ticket_id: int):
    revision = request.form.get("revision", "")

    def update(ticket: Ticket) -> tuple[str, Ticket | None]:
        return "Description updated.", services().management.update_description(
            ticket, request.form.get("description", ""), actor(), parse_digits(revision))

    return _change(ticket_id, update)


@bp.post("/tickets/<int:ticket_id>/cancel")
@allow(roles=STAFF_WRITERS)
def cancel(ticket_id: int):
    def do_cancel(ticket: Ticket) -> tuple[str, Ticket | None]:
        services().orchestrator.cancel(ticket, actor(), request.form.get("reason", "").strip()[:500])
        return "Ticket cancelled.", None  # its offers were withdrawn too: read again

    return _change(ticket_id, do_cancel)


@bp.post("/tickets/<int:ticket_id>/reopen")
@allow(roles=STAFF_WRITERS)
def reopen(ticket_id: int):
    def do_reopen(ticket: Ticket) -> tuple[str, Ticket | None]:
        services().orchestrator.reopen(ticket, actor(), request.form.get("reason", "").strip()[:500])
        return "Ticket reopened and sent back to assignment.", None

    return _change(ticket_id, do_reopen)


@bp.post("/tickets/<int:ticket_id>/dispatch")
@allow(roles=STAFF_WRITERS)
def retry_assignment(ticket_id: int):
    def retry(ticket: Ticket) -> tuple[str, Ticket | None]:
        outcome = services().orchestrator.retry_assignment(ticket, actor())
        offered = outcome.outcome == DispatchOutcome.OFFERED
        return ("Offered to an expert." if offered else "Still no expert free: staff alerted."), None

    return _change(ticket_id, retry)


@bp.app_template_filter("ticket_url")
def ticket_url(ticket_id: int) -> str:
    return url_for("views.ticket_detail", ticket_id=ticket_id)


@bp.route("/surveys/<int:ticket_id>", methods=["GET", "POST"])
@allow(roles=("customer",))
def survey(ticket_id: int):
    """The customer's satisfaction survey for a closed ticket (linked from the closing message): the
    questions of the template version this ticket is asked."""
    ticket = visible_ticket(ticket_id)
    surveys = services().surveys
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            template = surveys.answer(ticket, request.form)
            return _page("ticketing/survey.html", ticket=ticket, state="thanks", form_of=template, scores=SCORES,
                         errors={}, form={})
        except InvalidSurvey as invalid:
            errors = invalid.errors
        except SurveyClosed:
            pass
    state = "open" if surveys.open_for(ticket) else "closed"
    template = surveys.template_for(ticket) if state == "open" else None
    return _page("ticketing/survey.html", 422 if errors else 200, ticket=ticket, state=state, form_of=template,
                 scores=SCORES, errors=errors, form=request.form)


@bp.route("/surveys/template", methods=["GET", "POST"])
@allow(roles=("manager",))
def survey_template():
    """The manager's survey: the questions asked now, changed by publishing the next version (in force
    for tickets closed from then on), and every version with how many answers it holds."""
    surveys = services().surveys
    errors: dict[str, str] = {}
    published = None
    if request.method == "POST":
        try:
            published = surveys.publish(parse_digits(request.form.get("based_on"), max_digits=6) or 0,
                                        request.form.getlist("text"), request.form.getlist("kind"), actor())
        except InvalidSurvey as invalid:
            errors = invalid.errors
        except TemplateChanged as changed:
            errors = {"questions": f"{changed}: nothing was published; here is the template as it is now"}
    versions = surveys.versions()
    current_template = versions[-1]
    keep_form = bool(errors) and "based_on" not in errors and not errors.get("questions", "").endswith("as it is now")
    rows = (list(zip(request.form.getlist("text"), request.form.getlist("kind"))) if keep_form
            else [(q.text, q.kind) for q in current_template.questions])
    rows += [("", "score")] * max(0, min(MAX_QUESTIONS, len(rows) + 2) - len(rows))
    return _page("ticketing/survey_template.html", 422 if errors else 200, current=current_template,
                 versions=list(reversed(versions)), counts=surveys.answer_counts(), rows=rows, kinds=SURVEY_KINDS,
                 errors=errors, published=published)
