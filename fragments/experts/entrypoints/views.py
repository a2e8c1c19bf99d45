"""Phone-first pages for experts. Every action is the logged-in expert's own: the expert id comes
from the verified token, never from the URL or the form."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import Blueprint, abort, render_template, request

from foundation.parsing import parse_digits
from fragments.kit.auth import allow, current, forwarded_csrf
from fragments.kit.bootstrap import services

from ..domain.offers import countdown, seconds_left
from ..domain.profile import PERIODS, WEEKDAYS, ProfileError
from ..domain.roster import InvalidExpert
from ..services.ports import CustomersUnavailable, KnowledgeError, TicketingError
from ..services.profile import ExpertProfile
from ..services.roster import Roster
from ..services.work import ExpertWork
from ..wiring import Experts

bp = Blueprint("views", __name__)
T = TypeVar("T")
EXPERT = ("expert",)
REFUSAL_REASONS = ("Not available at that time", "Too far away", "Not my skill", "Ill or on leave", "Other")


def _experts() -> Experts:
    return services(Experts)


def _work() -> ExpertWork:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or forwarded_csrf()
    return _experts().work_of(current(), sent)


def _profile() -> ExpertProfile:
    return _experts().profile


def _page(template: str, status: int = 200, **context: Any):
    return render_template(template, csrf=forwarded_csrf(), countdown=countdown, **context), status


def _failed(error: TicketingError):
    if error.status in (403, 404):
        abort(404)  # not this expert's ticket: do not tell whether it exists
    if error.status >= 500:
        abort(503, description=str(error))
    return None


def _with_countdowns(offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    now = _experts().clock()
    for offer in offers:
        offer["seconds_left"] = seconds_left(offer["offer"].get("expires_at"), now)
    return offers


def _asking(read: Callable[[], T]) -> T:
    """What the ticketing back end answers as this expert; its refusals as this app's errors."""
    try:
        return read()
    except TicketingError as error:
        _failed(error)
        raise


@bp.get("/")
@allow(roles=EXPERT)
def home(message: str = "", status: int = 200):
    offers, day = _asking(_work().day)
    return _page("experts/home.html", status, offers=_with_countdowns(offers), day=day, message=message,
                 reasons=REFUSAL_REASONS)


@bp.post("/visits/<int:ticket_id>/on-my-way")
@allow(roles=EXPERT)
def on_my_way(ticket_id: int):
    """One tap: the customer is told the expert's first name and when to expect them."""
    try:
        ticket = _work().on_my_way(ticket_id)
    except TicketingError as error:
        _failed(error)
        return home(message=f"Not sent: {error}", status=409)
    return home(message=f"The customer of {ticket['reference']} is told you are on the way.")


@bp.get("/offers")
@allow(roles=EXPERT)
def offers_only():
    """The offers list alone, which the home page refreshes every few seconds."""
    offers, _ = _asking(lambda: _work().overview(assigned_too=False))  # polled: only what it shows is looked up
    return _page("experts/_offers.html", offers=_with_countdowns(offers), reasons=REFUSAL_REASONS)


def _answer(ticket_id: int, act, done: str):
    try:
        act()
    except TicketingError as error:
        _failed(error)
        return home(message=f"Not done: {error}", status=409)
    return home(message=done)


@bp.post("/offers/<int:ticket_id>/accept")
@allow(roles=EXPERT)
def accept(ticket_id: int):
    return _answer(ticket_id, lambda: _work().ticketing.accept(ticket_id), "Accepted: the slot is yours.")


@bp.post("/offers/<int:ticket_id>/refuse")
@allow(roles=EXPERT)
def refuse(ticket_id: int):
    reason = request.form.get("reason", "")
    detail = request.form.get("detail", "").strip()[:300]
    if reason not in REFUSAL_REASONS:
        return home(message="Choose why you refuse.", status=422)
    text = f"{reason}: {detail}" if detail else reason
    return _answer(ticket_id, lambda: _work().ticketing.refuse(ticket_id, text),
                   "Refused: the ticket goes to another expert.")


@bp.get("/tickets/<int:ticket_id>")
@allow(roles=EXPERT)
def ticket(ticket_id: int, errors: dict[str, str] | None = None, message: str = "", status: int = 200):
    try:
        view = _work().ticket(ticket_id)
    except TicketingError as error:
        _failed(error)
        raise
    return _page("experts/ticket.html", status, **view, errors=errors or {}, message=message)


@bp.get("/tickets/<int:ticket_id>/articles/<int:article_id>")
@allow(roles=EXPERT)
def article(ticket_id: int, article_id: int):
    """An article to read on site, for one of the expert's own tickets."""
    try:
        view = _work().article(ticket_id, article_id)
    except TicketingError as error:
        _failed(error)
        raise
    except KnowledgeError as error:
        if error.status == 404:
            abort(404, description="There is no such article.")
        abort(503, description="The knowledge base is not answering. Try again in a moment.")
    return _page("experts/article.html", **view)


def _ticket_change(ticket_id: int, act, done: str):
    try:
        act(_work().ticketing)
    except TicketingError as error:
        _failed(error)
        return ticket(ticket_id, errors=error.errors or {"form": str(error)}, status=422 if error.status == 422 else 409)
    return ticket(ticket_id, message=done)


@bp.post("/tickets/<int:ticket_id>/notes")
@allow(roles=EXPERT)
def add_note(ticket_id: int):
    return _ticket_change(ticket_id, lambda t: t.add_note(ticket_id, request.form.get("note", "")), "Note added.")


@bp.post("/tickets/<int:ticket_id>/articles")
@allow(roles=EXPERT)
def attach_article(ticket_id: int):
    article_id = parse_digits(request.form.get("article_id", ""))
    if article_id is None:
        return ticket(ticket_id, errors={"article_id": "choose an article"}, status=422)
    return _ticket_change(ticket_id, lambda t: t.attach_article(ticket_id, article_id), "Article attached.")


@bp.post("/tickets/<int:ticket_id>/close")
@allow(roles=EXPERT)
def close(ticket_id: int):
    return _ticket_change(ticket_id, lambda t: t.close(ticket_id, request.form.get("resolution", "")),
                          "Closed. The customer gets the survey; your slot is free again.")


@bp.get("/profile")
@allow(roles=EXPERT)
def profile(errors: dict[str, str] | None = None, message: str = "", status: int = 200):
    view = _profile().view(current().expert_id)
    return _page("experts/profile.html", status, **view, errors=errors or {}, message=message, weekdays=WEEKDAYS,
                 periods=PERIODS)


def _profile_change(act, done: str):
    try:
        act(_profile(), current().expert_id)
    except ProfileError as error:
        return profile(errors={error.field: str(error)}, status=422)
    return profile(message=done)


@bp.post("/profile/skills")
@allow(roles=EXPERT)
def set_skills():
    return _profile_change(lambda p, x: p.set_skills(x, request.form.getlist("skills")), "Skills saved.")


@bp.post("/profile/locales")
@allow(roles=EXPERT)
def set_locales():
    return _profile_change(lambda p, x: p.set_locales(x, request.form.getlist("locales")), "Locales saved.")


@bp.post("/profile/weekly")
@allow(roles=EXPERT)
def set_weekly():
    return _profile_change(lambda p, x: p.set_weekly(x, request.form.getlist("weekly")), "Working half-days saved.")


@bp.post("/profile/time-off")
@allow(roles=EXPERT)
def add_time_off():
    return _profile_change(lambda p, x: p.add_time_off(x, request.form.get("start", ""), request.form.get("end", "")),
                           "Time off added.")


@bp.post("/profile/time-off/remove")
@allow(roles=EXPERT)
def remove_time_off():
    return _profile_change(lambda p, x: p.remove_time_off(x, request.form.get("day", "")), "Day off removed.")


ADMIN = ("admin",)


def _roster() -> Roster:
    if _experts().roster is None:
        abort(404)
    return _experts().roster  # type: ignore[return-value]


def _roster_page(*, errors: dict[str, str] | None = None, message: str = "", entered: dict[str, Any] | None = None,
                 chosen: dict[str, list[str]] | None = None, status: int = 200):
    try:
        view = _roster().view()
    except CustomersUnavailable:
        abort(503, description="The catalogue cannot be read right now. Try again in a moment.")
    return _page("experts/roster.html", status, **view, errors=errors or {}, message=message, entered=entered or {},
                 chosen=chosen or {"skills": [], "locales": [], "weekly": []}, weekdays=WEEKDAYS, periods=PERIODS)


@bp.get("/admin/experts")
@allow(roles=ADMIN)
def roster():
    return _roster_page()


@bp.post("/admin/experts")
@allow(roles=ADMIN)
def take_on():
    entered = {name: request.form.get(name, "") for name in ("first_name", "last_name", "email", "phone")}
    chosen = {name: request.form.getlist(name) for name in ("skills", "locales", "weekly")}
    try:
        expert = _roster().take_on(entered, chosen["skills"], chosen["locales"], chosen["weekly"])
    except InvalidExpert as exc:
        return _roster_page(errors=exc.errors, entered=entered, chosen=chosen, status=422)
    return _roster_page(message=f"{expert['first_name']} {expert['last_name']} ({expert['employee_number']}) is taken "
                                "on: offers for their products and locales reach them from now on.")


@bp.post("/admin/experts/<int:expert_id>/active")
@allow(roles=ADMIN)
def set_active(expert_id: int):
    active = request.form.get("active") == "yes"
    try:
        expert = _roster().set_active(expert_id, active)
    except KeyError:
        abort(404)
    name = f"{expert['first_name']} {expert['last_name']}"
    return _roster_page(message=f"{name} is active again: offers reach them." if active else
                        f"{name} is deactivated: no new offers. Work they hold stays theirs until staff move it.")
