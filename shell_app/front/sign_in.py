"""The sign-in, sign-out and password pages at their usual addresses, and the password links: the
identity service's, passed through on this origin with their cookies (FrontDoor.forward)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint

from foundation.vocabulary import ROLES

from ..access import allow, public
from ..front_door import front_door, session_cookie

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return front_door().forward("/login")


@bp.post("/logout")
@allow(*ROLES)
def logout():
    front_door().forget(session_cookie())
    return front_door().forward("/logout")


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ROLES)
def change_password():
    front_door().forget(session_cookie())  # a new password ends every session: ask again afterwards
    return front_door().forward("/account/password")


@bp.route("/account/reset", methods=["GET", "POST"])
@public
def ask_for_link():
    return front_door().forward("/account/reset")


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@public
def use_link(token: str):
    return front_door().forward(f"/account/reset/{quote(token, safe='')}")
