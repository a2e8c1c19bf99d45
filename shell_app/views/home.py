from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from sqlalchemy import select

from foundation.vocabulary import LEGACY_HOLDING

from ..access import allow
from ..models import ROLES, Customer, LegacyTicket

bp = Blueprint("home", __name__)


@bp.get("/")
@allow(*ROLES)
def index():
    role = g.user.role
    if role == "customer":
        return redirect(url_for("home.my_account"))
    if role == "expert":
        tickets = g.db.scalars(
            select(LegacyTicket).where(LegacyTicket.assigned_expert_id == g.user.expert_id,
                                       LegacyTicket.status.in_(LEGACY_HOLDING))
            .order_by(LegacyTicket.created_at.desc()).limit(50)
        ).all()
        return render_template("shell/expert_home.html", tickets=tickets)
    return render_template("shell/staff_home.html")


@bp.get("/my")
@allow("customer")
def my_account():
    customer = g.db.get(Customer, g.user.customer_id)
    tickets = g.db.scalars(
        select(LegacyTicket).where(LegacyTicket.customer_id == customer.id)
        .order_by(LegacyTicket.created_at.desc()).limit(100)
    ).all()
    return render_template("shell/my_account.html", customer=customer, tickets=tickets)


@bp.get("/reports")
@allow("manager")
def reports():
    """The managers' Reports screen; its content is the reports fragment."""
    return render_template("shell/reports.html")


@bp.get("/admin/catalogue")
@allow("admin")
def catalogue():
    """The admins' Catalogue screen (products, plans, locales); its content is the customers fragment."""
    return render_template("shell/catalogue.html")
