"""The sign-in, sign-out and password pages at their usual addresses: the identity service's, passed
through on this origin with their cookies (shell_app.front_door.FrontDoor.forward)."""
from __future__ import annotations

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
