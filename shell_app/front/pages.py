"""Every legacy screen's successor (ADR 0033). A screen whose content is one service's is that
service's page: its old address answers a permanent redirect there (the query kept), so bookmarks and
links in emails already sent keep working and browsers learn the new address. A screen that puts several
services side by side (home, a customer, "My account", raising a ticket, a ticket) stays at its address
as a composed page: the layout and the slots, nothing read from any store here.

The endpoints keep the monolith's names, so the layout's navigation (templates/shell/base.html) and
every `url_for` work in both front doors; `SUCCESSORS` sends the navigation straight to the new pages."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request
from werkzeug.wrappers import Response

from foundation.vocabulary import ROLES, STAFF_ROLES, STAFF_WRITERS

from ..access import allow, public

# The legacy screen (its endpoint) -> the page that succeeded it, as the browser asks for it.
SUCCESSORS = {
    "customers.search": "/fragments/customers/customers",
    "tickets.index": "/fragments/ticketing/tickets",
    "outbox.index": "/fragments/notifications/outbox",
    "kb.search": "/fragments/knowledge/search",
    "kb.proposals": "/fragments/knowledge/proposals",
    "experts.index": "/fragments/experts/admin/experts",
    "accounts.index": "/fragments/identity/admin/accounts",
    "home.reports": "/fragments/reports/",
    "home.catalogue": "/fragments/customers/admin/catalogue",
}
NEEDED = ("customers", "ticketing", "notifications", "knowledge", "experts", "identity", "reports")
EXPERT_HOME = "/fragments/experts/"
KB_ROLES = ("call_centre", "manager", "admin", "expert")

home = Blueprint("home", __name__)
customers = Blueprint("customers", __name__)
tickets = Blueprint("tickets", __name__)
kb = Blueprint("kb", __name__)
experts = Blueprint("experts", __name__)
outbox = Blueprint("outbox", __name__)
accounts = Blueprint("accounts", __name__)
BLUEPRINTS = (home, customers, tickets, kb, experts, outbox, accounts)


def moved(target: str, *, keep_query: bool = True) -> Response:
    """A permanent redirect (the same for everyone: no session is read, so a browser may keep it)."""
    query = request.query_string.decode("latin-1") if keep_query else ""
    return redirect(target + (f"?{query}" if query else ""), 301)


def _moved_view(endpoint: str):
    def view():
        return moved(SUCCESSORS[endpoint])
    view.__name__ = endpoint.split(".")[1]
    return public(view)


customers.add_url_rule("/customers", view_func=_moved_view("customers.search"))
tickets.add_url_rule("/tickets", view_func=_moved_view("tickets.index"))
outbox.add_url_rule("/outbox", view_func=_moved_view("outbox.index"))
kb.add_url_rule("/kb", view_func=_moved_view("kb.search"))
kb.add_url_rule("/kb/proposals", view_func=_moved_view("kb.proposals"))
experts.add_url_rule("/experts", view_func=_moved_view("experts.index"))
accounts.add_url_rule("/admin/accounts", view_func=_moved_view("accounts.index"))
home.add_url_rule("/reports", view_func=_moved_view("home.reports"))
home.add_url_rule("/admin/catalogue", view_func=_moved_view("home.catalogue"))


@kb.get("/kb/<int:article_id>")
@public
def article(article_id: int):
    return moved(f"/fragments/knowledge/articles/{article_id}", keep_query=False)


@experts.get("/experts/<int:expert_id>")
@public
def expert(expert_id: int):
    """The roster lists every expert with their skills, areas and load; its row is this expert's."""
    return moved(f"{SUCCESSORS['experts.index']}#expert-{expert_id}", keep_query=False)


@home.get("/")
@allow(*ROLES)
def index():
    role = g.user.role
    if role == "customer":
        return redirect("/my")
    if role == "expert":
        return redirect(EXPERT_HOME)
    return render_template("front/staff_home.html", search_url=SUCCESSORS["customers.search"])


@home.get("/my")
@allow("customer")
def my_account():
    return render_template("front/my_account.html", customer_id=g.user.customer_id)


@customers.get("/customers/<int:customer_id>")
@allow(*STAFF_ROLES)
def detail(customer_id: int):
    return render_template("front/customer.html", customer_id=customer_id)


@tickets.get("/customers/<int:customer_id>/tickets/new")
@allow(*STAFF_WRITERS)
def raise_for_customer(customer_id: int):
    return render_template("front/raise.html", customer_id=customer_id)


@tickets.get("/my/tickets/new")
@allow("customer")
def raise_as_customer():
    return render_template("front/raise.html", customer_id=g.user.customer_id)


@tickets.get("/tickets/<int:ticket_id>", endpoint="detail")
@allow(*STAFF_ROLES, "customer", "expert")
def ticket(ticket_id: int):
    if g.user.role == "expert":  # an expert's ticket page is the phone one, with its visit and notes
        return redirect(f"/fragments/experts/tickets/{ticket_id}")
    return render_template("shell/ticket_detail_fragment.html", ticket_id=ticket_id)


@tickets.get("/tickets/queue")
@allow(*STAFF_ROLES)
def queue():
    return render_template("shell/ticket_queue.html")
