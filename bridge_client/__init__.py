"""How the new services reach what still lives in the monolith: the bridge API's client.

It imports neither the monolith nor the bridge server (an import contract checks this), so a
fragment depends on the published API only, never on the monolith's code.
"""
from .client import (
                     BATCH_GET_IDS,
                     PREFIX,
                     BridgeClient,
                     BridgeError,
                     Conflict,
                     Forbidden,
                     HttpBridgeClient,
                     InvalidRequest,
                     NotFound,
                     Unauthorized,
                     Unavailable,
                     notification_request,
                     staff_alert,
)
from .handover import ACCOUNTS as ACCOUNTS_KIND
from .handover import KINDS as HANDOVER_KINDS
from .handover import record_checksum
from .legacy_articles import article_checksum, split_body

__all__ = ["ACCOUNTS_KIND", "BATCH_GET_IDS", "HANDOVER_KINDS", "PREFIX", "BridgeClient", "BridgeError", "Conflict", "Forbidden",
           "HttpBridgeClient", "InvalidRequest", "NotFound", "Unauthorized", "Unavailable", "notification_request",
           "article_checksum", "record_checksum", "split_body", "staff_alert"]
