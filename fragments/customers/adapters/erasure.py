"""A customer forgotten at their request (issue 29): the customers service's part. The record stays (its
contracts and bills are the business's records and name no one), its personal details are erased the
same way the monolith's row is (shell_app/erasure.py), so the copy still reconciles; the cards' tokens
are deleted."""
from __future__ import annotations

import datetime as dt

from foundation.vocabulary import iso
from graph_store.backends import GraphBackend

# What an erased customer's record says, here and in the monolith's row alike.
ERASED = {"first_name": "Erased", "email": "", "phone": "", "address_line": "", "city": "", "postcode": ""}


def erased_last_name(customer_id: int) -> str:
    return f"customer {customer_id}"


def erase_customer(db: GraphBackend, customer_id: int, now: dt.datetime) -> dict[str, int]:
    """How many records of each kind were erased or deleted."""
    customers = db.write("MATCH (c:Customer {id: $id}) SET c += $erased, c.last_name = $last, c.search_text = '', "
                         "c.erased_at = $at RETURN c.id AS id",
                         {"id": customer_id, "erased": ERASED, "last": erased_last_name(customer_id), "at": iso(now)})
    cards = db.write("MATCH (m:PaymentMethod {customer_id: $id}) DELETE m RETURN count(m) AS n", {"id": customer_id})
    return {"customer": len(customers), "cards": int(cards[0]["n"]) if cards else 0}
