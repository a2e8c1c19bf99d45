"""The customer directory's use cases over in-memory ports: a customer's plans as the page shows them."""
from __future__ import annotations

import datetime as dt

from fragments.customers.services.directory import Directory
from tests.support.clock import Clock

TODAY = dt.datetime(2026, 12, 6, 9, 0)


def contract(contract_id: int, plan: dict, products: list[int], start: str = "2026-01-01", end: str | None = None) -> dict:
    return {"id": contract_id, "reference": f"K-{contract_id}", "status": "active", "start_date": start,
            "end_date": end, "product_ids": products, "plan": plan}


class Customers:
    def __init__(self, held: list[dict]):
        self.held = held

    def with_contracts(self, customer_id: int) -> tuple[dict, list[dict]]:
        return {"id": customer_id}, self.held


class Catalogue:
    def __init__(self):
        self.plans_read = 0

    def product_names(self, product_ids: list[int]) -> dict[int, str]:
        return {i: f"Product {i}" for i in product_ids if i != 99}

    def plans(self) -> list[dict]:
        self.plans_read += 1
        return [{"id": 7, "code": "GOLD", "name": "Gold", "max_open_tickets": 3}]


def directory(held: list[dict], catalogue: Catalogue) -> Directory:
    return Directory(Customers(held), catalogue, None, Clock(TODAY))  # type: ignore[arg-type]


def test_the_plans_come_with_the_contracts_and_the_catalogue_is_not_read_again():
    catalogue = Catalogue()
    held = [contract(2, {"id": 7, "code": "GOLD", "name": "Gold", "max_open_tickets": 3}, [5, 99]),
            contract(1, {"id": 8, "code": "OLD", "name": "Old", "max_open_tickets": None}, [4], end="2026-06-30")]
    views = directory(held, catalogue).page(1)[1]
    assert [(v.plan, v.max_open_tickets, v.in_force, v.products) for v in views] == [
        ("Gold", 3, True, ["Product 5", "product 99"]), ("Old", None, False, ["Product 4"])]
    assert catalogue.plans_read == 0


def test_a_plan_not_held_when_the_contracts_were_read_is_named_from_the_catalogue():
    catalogue = Catalogue()
    views = directory([contract(3, {"id": 7, "code": "", "name": ""}, [5])], catalogue).page(1)[1]
    assert [(v.plan, v.max_open_tickets) for v in views] == [("Gold", 3)] and catalogue.plans_read == 1
    views = directory([contract(4, {"id": 12, "code": "", "name": ""}, [5])], catalogue).page(1)[1]
    assert [(v.plan, v.max_open_tickets) for v in views] == [("", None)]  # nobody's plan: shown without a name
