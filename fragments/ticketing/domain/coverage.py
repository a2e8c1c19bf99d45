"""Which of a customer's contracts covers a product on a day (the monolith's rule, shared by the raise
form's product list and the raise itself)."""
from __future__ import annotations

import datetime as dt
from typing import Any


def covering_contract(contracts: list[dict[str, Any]], product_id: int, day: dt.date) -> dict[str, Any] | None:
    """The first active contract in force on `day` that includes the product, as the bridge lists them."""
    today = day.isoformat()
    for contract in contracts:
        if contract["status"] == "active" and contract["start_date"] <= today and (
                contract["end_date"] is None or today <= contract["end_date"]) and product_id in contract["product_ids"]:
            return contract
    return None
