"""Each ticket's promises, whichever store holds it: what it carries from its raise, else what the terms
its contract keeps promise (the customers service's plans, on the calendar of the ticket's area)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from fragments.customers.published.promises_v1 import Terms, terms_of, version_in_force

from ..domain.service_levels import promises_of
from ..domain.summary import accepted_at
from .ports import PlanTerms, TermsUnavailable


class Promises:
    def __init__(self, terms: PlanTerms):
        self.terms = terms

    def attach(self, tickets: list[dict[str, Any]]) -> bool:
        """Give each ticket its `plan_id` and `promises` (service_levels.promises_of); False if the plans of
        some could not be read now (they carry none: a summary of them is not to be kept)."""
        if not tickets:
            return True
        wanted = {t["contract_id"]: t.get("customer_id") for t in tickets
                  if not (t.get("plan_id") and t.get("accept_by")) and t.get("contract_id") is not None}
        complete = True
        try:
            contracts = self.terms.contract_plans(wanted) if wanted else {}
            plans = self.terms.every_plan_terms()
            regions = self.terms.regions()
        except TermsUnavailable:
            contracts, plans, regions, complete = {}, {}, {}, False
        holidays: dict[str | None, list[str]] = {}
        in_force: dict[tuple[int, str, str | None], Terms | None] = {}
        for t in tickets:
            contract = contracts.get(t["contract_id"]) if t.get("contract_id") is not None else None
            terms = None
            if contract is not None:
                t["plan_id"] = t.get("plan_id") or contract["plan_id"]
                # the version in force on the day of sale: the terms of every contract sold under it
                sold = version_in_force(plans.get(contract["plan_id"], []),
                                        dt.date.fromisoformat(contract["start_date"]))
                region = regions.get(t["locale_id"])
                key = (contract["plan_id"], sold["from"] if sold else "", region)
                if key not in in_force:
                    if region not in holidays and sold is not None:
                        holidays[region] = self.terms.public_holidays(region)
                    in_force[key] = None if sold is None else terms_of(sold, holidays[region])
                terms = in_force[key]
            t["promises"] = promises_of(t, terms, accepted_at(t))
        return complete
