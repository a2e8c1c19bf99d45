"""Back-compatibility of the bridge contract: an old client keeps working against the current bridge."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from bridge_api.openapi import document

from .support.contract_compat import breaking_changes

FROZEN = Path(__file__).parent / "contracts" / "bridge_v1.json"


def test_current_contract_keeps_every_promise_of_the_frozen_v1():
    frozen = json.loads(FROZEN.read_text())
    assert breaking_changes(frozen, document()) == []


def test_the_checker_catches_each_kind_of_break():
    base = document()

    def broken(change) -> list[str]:
        new = copy.deepcopy(base)
        change(new)
        return breaking_changes(base, new)

    assert broken(lambda d: d["paths"].pop("/coverage"))
    assert broken(lambda d: d["components"]["schemas"]["Customer"]["required"].remove("email"))
    assert broken(lambda d: d["components"]["schemas"]["Customer"]["properties"]["id"].update(type="string"))
    assert broken(lambda d: d["components"]["schemas"]["NotificationRequest"]["required"].append("priority"))
    assert broken(lambda d: d["components"]["schemas"]["NotificationRequest"]["properties"]["channel"]
                  .update(enum=["email"]))
    assert broken(lambda d: d["components"]["schemas"]["LegacyTicket"]["properties"]["status"]["enum"]
                  .append("archived"))
    assert broken(lambda d: d["paths"]["/customers"]["get"]["parameters"].append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}))
    assert broken(lambda d: d["paths"]["/notifications"]["post"]["responses"].pop("202"))


def test_additions_are_compatible():
    base = document()
    new = copy.deepcopy(base)
    new["components"]["schemas"]["Customer"]["properties"]["loyalty_tier"] = {"type": "string"}
    new["paths"]["/customers"]["get"]["parameters"].append(
        {"name": "city", "in": "query", "required": False, "schema": {"type": "string"}})
    new["paths"]["/surveys"] = {"get": copy.deepcopy(base["paths"]["/products"]["get"])}
    new["components"]["schemas"]["NotificationRequest"]["properties"]["channel"]["enum"].append("push")
    assert breaking_changes(base, new) == []
