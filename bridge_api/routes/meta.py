from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import ANY, grant
from ..openapi import document


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openapi.json", "openapi", openapi)


@grant(roles=(ANY,))
def openapi():
    return jsonify(document())
