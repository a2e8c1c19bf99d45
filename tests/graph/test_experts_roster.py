"""Admins take on and deactivate experts in the experts fragment (ADR 0026), over a real graph and the
real monolith: a new expert is in assignment's candidate query at once, with an id above every legacy
id, written back to the legacy experts table; the notifications service reaches them through the
published profile; a deactivated expert is no longer a candidate; bad input names each field."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from foundation.tokens import Principal, csrf_digest
from fragments.experts.adapters.profiles import GraphProfiles, GraphRoster
from fragments.experts.app import create_app
from fragments.experts.published import profiles_v1
from fragments.notifications.adapters.recipients import GraphRecipients
from fragments.notifications.domain.messages import Recipient
from shell_app.models import Expert
from tests.support.bridge_directory import BridgeDirectory
from tests.support.fake_bridge import FakeBridgeClient

from ..support.keys import KEYS_DIR, mint
from .conftest import bridge_client

CSRF = "session-csrf-token"
MONDAY_MORNING = dt.datetime(2026, 12, 7, 9, 0)


def headers(role: str) -> dict[str, str]:
    principal = replace(Principal("user", role, role), csrf_digest=csrf_digest(CSRF))
    return {"Authorization": f"Bearer {mint(principal, 'fragment:experts')}", "X-CSRF-Token": CSRF,
            "X-Shell-CSRF": CSRF, "HX-Request": "true"}


@pytest.fixture
def roster_app(graph_backend, live_bridge):
    bridge = bridge_client(live_bridge, "experts")
    # The catalogue from the monolith's bridge here (the customers service's, in production).
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, ticketing=None, bridge=bridge,
                     profiles=GraphProfiles(graph_backend), directory=BridgeDirectory(bridge),
                     clock=lambda: MONDAY_MORNING, knowledge=object(),
                     roster=GraphRoster(graph_backend))
    yield app, None
    bridge.close()


def candidates(db, product_id: int, locale_id: int) -> list[int]:
    rows = db.read(profiles_v1.QUALIFIED + "RETURN x.id AS id ORDER BY id",
                   {"product_id": product_id, "locale_id": locale_id})
    return [row["id"] for row in rows]


def test_an_admin_takes_on_an_expert_who_is_a_candidate_at_once_and_reached_by_text(roster_app, graph_backend,
                                                                                    legacy_url):
    app, _ = roster_app
    client = app.test_client()
    wrong = client.post("/admin/experts", headers=headers("admin"),
                        data={"first_name": "", "last_name": "Okafor", "email": "nope", "phone": "12",
                              "skills": ["99"], "weekly": ["9:morning"]})
    assert wrong.status_code == 422
    for message in ("A first name is needed", "name@example.com", "7 to 15 digits", "choose from the list",
                    "pick one locale at least", "half-days from the grid"):
        assert message in wrong.text, message
    assert 'value="Okafor"' in wrong.text and candidates(graph_backend, 1, 3) == []

    tag = uuid.uuid4().hex[:6]
    taken = client.post("/admin/experts", headers=headers("admin"),
                        data={"first_name": "Ada", "last_name": f"Okafor{tag}", "email": f"ada.{tag}@example.com",
                              "phone": "+44 7700 900 321", "skills": ["1"], "locales": ["3"],
                              "weekly": ["0:morning", "0:afternoon"]})
    assert taken.status_code == 200 and "is taken on" in taken.text
    (expert_id,) = candidates(graph_backend, 1, 3)
    assert expert_id > 1_000_000 and candidates(graph_backend, 2, 3) == []
    engine = create_engine(legacy_url)
    with Session(engine) as session:
        row = session.get(Expert, expert_id)
        assert row is not None and row.active and row.last_name == f"Okafor{tag}"
    reached = GraphRecipients(graph_backend, FakeBridgeClient()).contact(Recipient("expert", expert_id))
    assert reached.phone == "+44 7700 900 321" and reached.name == f"Ada Okafor{tag}"  # no monolith asked

    off = client.post(f"/admin/experts/{expert_id}/active", headers=headers("admin"), data={"active": "no"})
    assert off.status_code == 200 and "deactivated" in off.text
    assert candidates(graph_backend, 1, 3) == []
    with Session(engine) as session:
        assert session.get(Expert, expert_id).active is False
    engine.dispose()
    assert client.post("/admin/experts/424242424/active", headers=headers("admin"),
                       data={"active": "yes"}).status_code == 404
