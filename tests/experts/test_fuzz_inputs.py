"""Whatever an expert's phone sends to the experts pages: never a 5xx."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fragments.experts.app import create_app
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from tests.support.bridge_directory import BridgeDirectory
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier

from ..support.hostile import FORM_TEXT
from ..support.keys import KEYS_DIR
from ..ticketing.conftest import NOW, fake_world
from .test_app import InProcessTicketing, headers, one_expert_profiles

PATHS = ["/offers/100000001/accept", "/offers/100000001/refuse", "/tickets/100000001/notes",
         "/tickets/100000001/articles", "/tickets/100000001/close", "/profile/skills", "/profile/locales",
         "/profile/weekly", "/profile/time-off", "/profile/time-off/remove", "/offers/5/accept", "/tickets/5/close"]
FORM = st.dictionaries(st.sampled_from(["reason", "detail", "note", "article_id", "resolution", "skills", "locales",
                                        "weekly", "start", "end", "day"]),
                       st.one_of(FORM_TEXT, st.lists(FORM_TEXT, max_size=3)), max_size=4)


def _client():
    store, bridge = fake_world()
    bridge.locale_list = [{"id": 1, "name": "English"}]
    bridge.articles[5] = {"id": 5, "title": "Printer jams", "product_id": 11}
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(),
                      customers=FakeCustomers(bridge), clock=lambda: NOW, offer_timeout=dt.timedelta(minutes=10))
    ticketing.orchestrator.raise_ticket(RaiseRequest(7, 11, "Printer jams on every page", ["2026-11-26 morning"],
                                                     "phone", "callcentre"))
    return create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, ticketing=InProcessTicketing(ticketing),
                      bridge=bridge, profiles=one_expert_profiles(), directory=BridgeDirectory(bridge),
                      clock=lambda: NOW).test_client()


CLIENT = _client()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), form=FORM, who=st.sampled_from(["expert", "expert2"]))
def test_expert_forms_never_answer_5xx(path, form, who):
    if who == "expert2" and path.startswith("/profile"):
        return  # the fake profile store only knows expert 1
    response = CLIENT.post(path, data=form, headers=headers(who))
    assert response.status_code < 500, (path, form, response.get_data()[:300])
