"""The used links of messages in the graph, the LinkLedger port: one `LinkUse` node per link id, unique,
so of two clicks racing on one link exactly one MERGE creates it and acts."""
from __future__ import annotations

import datetime as dt
import uuid

from foundation.vocabulary import iso
from graph_store.backends import GraphBackend

from .errors import port_errors

CLAIM = """
MERGE (u:LinkUse {jti: $jti})
ON CREATE SET u.token = $token, u.act = $act, u.ticket_id = $ticket_id, u.at = $at
RETURN u.token = $token AS claimed
"""


@port_errors
class GraphLinks:
    def __init__(self, backend: GraphBackend):
        self.db = backend

    def claim(self, jti: str, act: str, ticket_id: int, at: dt.datetime) -> bool:
        rows = self.db.write(CLAIM, {"jti": jti, "token": uuid.uuid4().hex, "act": act, "ticket_id": ticket_id,
                                     "at": iso(at)})
        return bool(rows and rows[0]["claimed"])

    def used(self, jti: str) -> bool:
        return bool(self.db.read("MATCH (u:LinkUse {jti: $jti}) RETURN u.jti AS jti", {"jti": jti}))
