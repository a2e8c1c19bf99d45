"""The experts fragment against the real ticketing back end, graph and bridge (real processes)."""
from __future__ import annotations

import time

from .conftest import (
    ALL_HALF_DAYS,
    StaffBrowser,
    offered_expert,
    raise_for_customer_1,
    two_experts_for_customer_1,
)


class ExpertBrowser(StaffBrowser):
    def page(self, path: str = "/"):
        return self.http.get(f"{self.base}/fragments/experts{path}", headers={"HX-Request": "true"}, timeout=20)

    def act(self, path: str, data: dict | None = None):
        return self.http.post(f"{self.base}/fragments/experts{path}", data=data or {}, timeout=20,
                              headers={"HX-Request": "true", "X-CSRF-Token": self.csrf})


def test_an_expert_cannot_see_or_act_on_another_experts_tickets(system):
    product_id, _ = two_experts_for_customer_1(system)
    ticket_id = raise_for_customer_1(system, product_id, 30)
    owner = offered_expert(system, ticket_id)
    other = 2 if owner == 1 else 1
    mine, theirs = ExpertBrowser(system.shell, f"expert{owner}"), ExpertBrowser(system.shell, f"expert{other}")
    assert f'data-ticket-id="{ticket_id}"' in mine.page().text
    assert f'data-ticket-id="{ticket_id}"' not in theirs.page().text
    # Guessed URLs, through the experts pages and straight at the ticketing pages and API.
    assert theirs.page(f"/tickets/{ticket_id}").status_code == 404
    assert theirs.act(f"/offers/{ticket_id}/accept").status_code in (404, 409)
    assert theirs.act(f"/tickets/{ticket_id}/close", {"resolution": "not mine at all"}).status_code in (404, 409)
    assert theirs.act(f"/tickets/{ticket_id}/notes", {"note": "snooping"}).status_code in (404, 409)
    assert theirs.fragment(f"/tickets/{ticket_id}").status_code == 404
    assert theirs.http.get(f"{system.shell}/fragments/ticketing/tickets", timeout=10).status_code == 403
    with system.graph_store() as store:
        ticket = store.tickets.get(ticket_id)
    assert [(a["expert_id"], a["state"]) for a in ticket["allocations"]] == [(owner, "offered")]
    assert not any(e["action"] == "note" for e in ticket["history"])
    # Without the CSRF token nothing happens either.
    forged = mine.http.post(f"{system.shell}/fragments/experts/offers/{ticket_id}/accept",
                            headers={"HX-Request": "true"}, timeout=10)
    assert forged.status_code == 400


def test_an_offer_times_out_on_the_experts_pages_and_goes_to_the_next_expert(system):
    product_id, _ = two_experts_for_customer_1(system)
    ticket_id = raise_for_customer_1(system, product_id, 31)
    first = offered_expert(system, ticket_id)
    second = 2 if first == 1 else 1
    first_page = ExpertBrowser(system.shell, f"expert{first}")
    assert f'data-ticket-id="{ticket_id}"' in first_page.page("/offers").text
    deadline = time.monotonic() + 20  # the system fixture's offers last 3 s
    while time.monotonic() < deadline and f'data-ticket-id="{ticket_id}"' in first_page.page("/offers").text:
        time.sleep(0.3)
    assert f'data-ticket-id="{ticket_id}"' not in first_page.page("/offers").text
    assert f'data-ticket-id="{ticket_id}"' in ExpertBrowser(system.shell, f"expert{second}").page("/offers").text
    late = first_page.act(f"/offers/{ticket_id}/accept")
    assert late.status_code in (404, 409)


def test_profile_changes_take_effect_in_assignment_at_once(system):
    product_id, _ = two_experts_for_customer_1(system)
    expert = ExpertBrowser(system.shell, "expert3")
    form = expert.page("/profile").text
    assert "Products I can fix" in form
    # Expert 3 takes on the product and customer 1's locale, works every half-day: the two others go off.
    with system.graph_store() as store:
        locale_id = store.bridge.get_customer(1)["locale"]["id"]
        for other in (1, 2):
            store.experts.set_availability(other, [], [])
    assert expert.act("/profile/skills", {"skills": [str(product_id)]}).status_code == 200
    assert expert.act("/profile/locales", {"locales": [str(locale_id)]}).status_code == 200
    assert expert.act("/profile/weekly", {"weekly": ALL_HALF_DAYS}).status_code == 200
    ticket_id = raise_for_customer_1(system, product_id, 32)
    assert offered_expert(system, ticket_id) == 3
    bad = expert.act("/profile/weekly", {"weekly": ["9:midnight"]})
    assert bad.status_code == 422 and "choose half-days" in bad.text
