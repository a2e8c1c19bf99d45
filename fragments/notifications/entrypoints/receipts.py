"""Delivery reports from the SMS gateway (outside our system, so not one of our tokens): it posts
{reference, status: delivered | undelivered, detail} with the shared key as its bearer; the message
whose key is the reference becomes delivered or bounced (staff may send a bounced one again, by the
other channel)."""
from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request

from foundation.problems import problem_response
from fragments.kit.auth import public
from fragments.kit.bootstrap import services

from ..wiring import Notifications

bp = Blueprint("receipts", __name__)


@bp.post("/receipts/sms")
@public  # authenticated below by the gateway's own key, not by one of our tokens
def sms_receipt():
    n = services(Notifications)
    sent = request.headers.get("Authorization", "")
    if not n.receipt_key or not hmac.compare_digest(sent.encode(), f"Bearer {n.receipt_key}".encode()):
        return problem_response(401, "Unauthorized", "delivery reports need the gateway's key")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("reference"), str) or body.get("status") not in (
            "delivered", "undelivered"):
        return problem_response(422, "Unprocessable Content", "give {reference, status: delivered|undelivered}",
                                kind="validation")
    found = n.messages.by_keys([body["reference"]]).get(body["reference"])
    if found is None:
        return problem_response(404, "Not Found", "no message with that reference")
    detail = body.get("detail") if isinstance(body.get("detail"), str) else ""
    recorded = n.delivery.receipt(found.id, body["status"] == "delivered", detail[:500])
    return jsonify(recorded=recorded, state=n.messages.get(found.id).state)
