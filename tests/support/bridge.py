"""Test helpers for the bridge: mint tokens for any principal, validate responses against the contract."""
from __future__ import annotations

from dataclasses import dataclass

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bridge_api.openapi import document
from foundation.tokens import Principal

from .keys import mint

DOC = document()
_REGISTRY = Registry().with_resource("urn:bridge", Resource.from_contents(DOC, default_specification=DRAFT202012))

USERS = {
    "customer": Principal("user", "customer1", "customer", customer_id=1),
    "call_centre": Principal("user", "callcentre", "call_centre"),
    "manager": Principal("user", "manager", "manager"),
    "admin": Principal("user", "admin", "admin"),
    "expert": Principal("user", "expert1", "expert", expert_id=1),
}
SERVICE_NAMES = ("ticketing", "experts", "reports", "knowledge", "customers", "identity", "backfill")
PRINCIPALS = {**{f"user:{k}": v for k, v in USERS.items()},
              **{f"service:{name}": Principal("service", name) for name in SERVICE_NAMES}}


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def template_for(rule_path: str) -> str:
    """Flask's `/customers/<int:customer_id>` -> OpenAPI's `/customers/{customer_id}`."""
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule_path)


def validate(method: str, template: str, status: int, body, content_type: str) -> None:
    operation = DOC["paths"][template][method.lower()]
    assert str(status) in operation["responses"], f"{method} {template} answered undocumented {status}"
    media = "application/problem+json" if status >= 400 else "application/json"
    assert content_type.startswith(media), f"{method} {template} {status}: {content_type}"
    pointer = _pointer("paths", template, method.lower(), "responses", str(status), "content", media, "schema")
    validator = jsonschema.Draft202012Validator({"$ref": f"urn:bridge#/{pointer}"}, registry=_REGISTRY,
                                                format_checker=jsonschema.FormatChecker())
    validator.validate(body)


@dataclass
class BridgeCaller:
    """Calls the bridge as one principal and checks every answer against the OpenAPI contract."""

    client: object
    signer: object  # unused: each principal is minted by its rightful issuer (tests/support/keys.py)
    principal: Principal | None

    def call(self, method: str, path: str, template: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.principal is not None:
            headers["Authorization"] = f"Bearer {mint(self.principal, 'bridge')}"
        response = self.client.open("/bridge/v1" + path, method=method, headers=headers, **kwargs)
        if template is not None:
            validate(method, template, response.status_code, response.get_json(), response.content_type)
        return response
