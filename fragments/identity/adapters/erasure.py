"""A customer forgotten at their request (issue 29): the identity service's part. Their account can no
longer sign in and says nothing of them (name and password gone); every session of it ends."""
from __future__ import annotations

from graph_store.backends import GraphBackend

from .sessions import KeyspaceSessions


def erase_customer_account(db: GraphBackend, sessions: KeyspaceSessions | None, customer_id: int) -> dict[str, int]:
    rows = db.write("MATCH (a:Account {customer_id: $id}) SET a.username = 'erased-' + toString(a.id), "
                    "a.display_name = 'Erased', a.password_hash = '', a.active = false "
                    "RETURN a.id AS id", {"id": customer_id})
    ended = sum(sessions.end_all(int(row["id"])) for row in rows) if sessions is not None else 0
    return {"accounts": len(rows), "sessions": ended}
