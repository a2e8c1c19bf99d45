"""The shell's composition mechanism against fake fragment apps served over real HTTP: manifests one
version older and newer, slow, failing and missing fragments, tokens and CSRF, nginx's auth hook."""
from __future__ import annotations

import datetime as dt
import threading
import time
from urllib.parse import quote

import pytest
from flask import Flask, abort, jsonify, request

from foundation.tokens import TokenError, TokenVerifier, bearer, csrf_digest
from shell_app.composition.manifest import ManifestError, parse
from shell_app.demo_data import create_and_seed
from sysops.wsgi import monolith as create_app

from .conftest import Auth
from .support.deferred_slots import deferred_slots
from .support.keys import KEYS_DIR
from .support.served_app import Served

SECRET = "composition-secret"
# What the staff's customer page says beside its tickets slot, as the page's slot sends it with htmx.
PAGE_FALLBACK = "This customer&#39;s tickets cannot be shown right now."
PAGE_SAYS = {"X-Slot-Fallback": quote("This customer's tickets cannot be shown right now.", safe=" ")}
SLOW_CUSTOMER, FAILING_CUSTOMER = 2, 3  # the fake fragment's customer panel is slow, or fails, for these
HELD_CUSTOMER = 4  # ... or answers once the test lets it (HELD)
HELD = threading.Event()
CURRENT_SLOTS = {"customer-tickets": {"path": "/customers/{customer_id}/tickets", "fallback": "Tickets are away.",
                                      "timeout_ms": 400},
                 "ticket-list": {"path": "/tickets"}, "queue": {"path": "/queue"},
                 "raise-ticket": {"path": "/customers/{customer_id}/tickets/new"},
                 "ticket-detail": {"path": "/tickets/{ticket_id}"}}
MANIFESTS = {
    "older": {"name": "ticketing", "version": "1.0.0", "manifest_version": 1,
              "slots": {k: v for k, v in CURRENT_SLOTS.items() if k != "queue"}},
    "current": {"name": "ticketing", "version": "1.1.0", "manifest_version": 1, "slots": CURRENT_SLOTS,
                "assets": {"css": ["/static/ticketing.css"]}},
    "newer": {"name": "ticketing", "version": "1.2.0", "manifest_version": 1, "owner": "ticketing team",
              "slots": {**CURRENT_SLOTS, "queue": "/queue", "sla-board": {"path": "/sla", "icon": "clock"},
                        "broken": {"path": "https://elsewhere.example/x"}},
              "assets": {"css": ["/static/ticketing.css"], "js": ["/static/new.js"]}},
}


def fake_fragment(manifest: dict, seen: list) -> Flask:
    app = Flask("fake-fragment")
    verifier = TokenVerifier.for_audience(KEYS_DIR, "fragment:ticketing")

    @app.before_request
    def check_token():
        try:
            principal = verifier.verify(bearer(request.headers.get("Authorization")))
        except TokenError:
            abort(401)
        seen.append((request.method, request.path, principal, dict(request.headers)))

    @app.get("/manifest.json")
    def manifest_json():
        return jsonify(manifest)

    @app.get("/customers/<int:customer_id>/tickets")
    def tickets(customer_id):
        if customer_id == SLOW_CUSTOMER:
            time.sleep(3)
        if customer_id == FAILING_CUSTOMER:
            abort(500)
        if customer_id == HELD_CUSTOMER:
            HELD.wait(10)
        return f'<section class="fragment-root" data-fragment="ticketing">tickets of {customer_id} ' \
               f'v{manifest["version"]}<script>alert(1)</script></section>'

    @app.get("/queue")
    def queue():
        return '<section class="fragment-root" data-fragment="ticketing">the queue</section>'

    @app.get("/export.csv")
    def export():
        return "a,b\r\n1,2\r\n", 200, {"Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="x.csv"'}

    @app.get("/slow")
    def slow():
        time.sleep(3)
        return "too late"

    @app.get("/boom")
    def boom():
        abort(500)

    @app.post("/customers/<int:customer_id>/tickets")
    def create(customer_id):
        return f'<section class="fragment-root">got {request.form.get("description")}</section>', 201

    return app


@pytest.fixture(scope="module")
def legacy_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('composition') / 'legacy.db'}"
    create_and_seed(url, seed=3, anchor=dt.date(2026, 11, 1))
    return url


def shell_for(legacy_url: str, fragment_url: str, budget_ms: int = 1000):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "KEYS_DIR": KEYS_DIR, "DATABASE_URL": legacy_url,
                      "FRAGMENTS": (("ticketing", fragment_url),), "FIRST_PAINT_BUDGET_MS": budget_ms})
    client = app.test_client()
    auth = Auth(client)
    auth.login("callcentre")
    return app, client, auth


@pytest.fixture(params=sorted(MANIFESTS))
def composed(request, legacy_url):
    seen: list = []
    served = Served(fake_fragment(MANIFESTS[request.param], seen))
    # A budget well above the slots' 400 ms time-out: on a loaded machine a failed slot must still be
    # painted as its fallback, not left to htmx (a budget below the time-out has its own test).
    app, client, auth = shell_for(legacy_url, served.url, budget_ms=2500)
    yield request.param, client, auth, seen
    served.stop()
    app.extensions["db_engine"].dispose()


def test_manifest_rules():
    newer = parse(MANIFESTS["newer"], "ticketing")
    assert set(newer.slots) == set(CURRENT_SLOTS) | {"sla-board"}  # unknown slot kept, off-site path dropped
    assert newer.extra == {"owner": "ticketing team"} and newer.css == ("/static/ticketing.css",)
    assert parse(MANIFESTS["current"], "ticketing").slots["customer-tickets"].timeout_ms == 400
    clamped = parse({"name": "t", "slots": {"a": {"path": "/a", "timeout_ms": 10**9}}}, "t")
    assert clamped.slots["a"].timeout_ms == 10_000
    for bad in ({"name": "ticketing", "manifest_version": 2}, {"name": "other"}, ["not", "an", "object"]):
        with pytest.raises(ManifestError):
            parse(bad, "ticketing")


def test_legacy_pages_embed_the_fragment_of_any_supported_version(composed):
    version, client, _, seen = composed
    before = len(seen)
    page = client.get("/customers/1").get_data(as_text=True)  # the first paint carries the fragment
    assert [s[1] for s in seen[before:]].count("/customers/1/tickets") == 1  # prefetched by the view, used once
    assert 'data-fragment-slot="ticketing/customer-tickets" data-fragment-inlined><section' in page
    assert f"tickets of 1 v{MANIFESTS[version]['version']}" in page and "sysops-slot" not in page
    css = '<link rel="stylesheet" href="/styles.css?shell='  # one stylesheet, naming the version: browsers may keep it
    assert (css in page and f'&amp;ticketing={MANIFESTS[version]["version"]}">' in page) or version == "older"
    panel = client.get("/fragments/ticketing/customers/1/tickets", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "tickets of 1" in panel.get_data(as_text=True)
    assert "HX-Request" in panel.headers["Vary"]
    queue = client.get("/tickets/queue").get_data(as_text=True)
    if version == "older":
        assert "needs a newer version of the ticketing service" in queue
    else:
        assert 'data-fragment-inlined><section class="fragment-root" data-fragment="ticketing">the queue' in queue
    method, path, principal, headers = next(s for s in reversed(seen) if s[1] == "/customers/1/tickets")
    assert (principal.subject, principal.role, path) == ("callcentre", "call_centre", "/customers/1/tickets")
    assert headers["X-Forwarded-Prefix"] == "/fragments/ticketing" and "Cookie" not in headers


def test_a_fragment_url_visited_directly_is_a_whole_shell_page(composed):
    _, client, _, _ = composed
    full = client.get("/fragments/ticketing/customers/1/tickets")
    html = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in html and "legacy-header" in html and "tickets of 1" in html
    restore = client.get("/fragments/ticketing/customers/1/tickets",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    download = client.get("/fragments/ticketing/export.csv")  # not HTML: passed through, never wrapped
    assert download.get_data(as_text=True) == "a,b\r\n1,2\r\n" and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_slow_failing_and_absent_fragments_get_fallbacks_and_the_page_still_works(composed, legacy_url):
    _, client, _, _ = composed
    slow = client.get("/fragments/ticketing/slow", headers={"HX-Request": "true"})
    # Cut at the time-out: had the proxy waited the fragment's 3 s, it would pass on "too late" (no clock
    # is read here: on a loaded machine the cut itself may come late).
    assert slow.headers.get("X-Fragment-Fallback") == "1" and "too late" not in slow.get_data(as_text=True)
    assert "Retry" in slow.get_data(as_text=True)
    boom = client.get("/fragments/ticketing/boom", headers={"HX-Request": "true"})
    assert boom.status_code == 200 and boom.headers.get("X-Fragment-Fallback") == "1"
    assert client.get("/fragments/unknown/x").status_code == 404
    # The fragment process gone altogether: the legacy page still renders, the slot falls back.
    app, other, _ = shell_for(legacy_url, "http://127.0.0.1:9")
    try:
        assert other.get("/customers/1").status_code == 200
        down = other.get("/fragments/ticketing/customers/1/tickets", headers={"HX-Request": "true", **PAGE_SAYS})
        assert down.headers.get("X-Fragment-Fallback") == "1"
        assert "This customer&#39;s tickets cannot be shown right now." in down.get_data(as_text=True)
        # Without the page's words (a request htmx did not make), the generic fallback.
        bare = other.get("/fragments/ticketing/customers/1/tickets", headers={"HX-Request": "true"})
        assert "This part of the page is not available right now." in bare.get_data(as_text=True)
    finally:
        app.extensions["db_engine"].dispose()


def test_a_slow_failing_or_absent_fragment_gives_the_first_paint_its_fallback_within_the_slot_time_out(composed,
                                                                                                     legacy_url):
    """The slot's time-out (400 ms here) is within the first-paint budget (2.5 s here): what failed by then
    is painted as the fallback with Retry, the rest of the legacy page as usual."""
    _, client, _, _ = composed
    started = time.monotonic()
    slow = client.get(f"/customers/{SLOW_CUSTOMER}").get_data(as_text=True)
    assert time.monotonic() - started < 3  # cut at the slot's time-out, not the fragment's 3 s
    failing = client.get(f"/customers/{FAILING_CUSTOMER}").get_data(as_text=True)
    for page, customer_id in ((slow, SLOW_CUSTOMER), (failing, FAILING_CUSTOMER)):
        # The page's own words beside its slot; a manifest's old `fallback` ("Tickets are away.") is ignored.
        assert PAGE_FALLBACK in page and "Tickets are away." not in page
        assert "data-fragment-fallback" in page and "Retry" in page
        assert "X-Slot-Fallback" in page  # the Retry's request carries the page's words to the proxy
        assert f'hx-get="/fragments/ticketing/customers/{customer_id}/tickets"' in page  # Retry's request
        assert "legacy-footer" in page and "Contracts" in page and "sysops-slot" not in page
    app, other, _ = shell_for(legacy_url, "http://127.0.0.1:9")  # no fragment process at all
    try:
        down = other.get("/customers/1").get_data(as_text=True)
        assert "data-fragment-fallback" in down and "cannot be shown right now" in down and "Contracts" in down
    finally:
        app.extensions["db_engine"].dispose()


def test_the_page_up_to_its_first_slot_is_sent_while_the_fragment_is_still_answering(composed):
    """The browser gets the head (styles, scripts) and the header at once; the slot and the rest of the
    page follow once the fragment has answered (or its slot's time-out has passed)."""
    _, client, _, seen = composed
    HELD.clear()
    try:
        response = client.get(f"/customers/{HELD_CUSTOMER}", buffered=False)
        parts = iter(response.response)
        head = next(parts).decode()
        asked = [path for _, path, _, _ in seen if path == f"/customers/{HELD_CUSTOMER}/tickets"]
        assert asked and not HELD.is_set()  # sent while the fragment holds its answer
        assert "</head>" in head and "legacy-header" in head and "data-fragment-slot" not in head
        assert "X-Accel-Buffering" in response.headers and "Content-Length" not in response.headers
    finally:
        HELD.set()
    rest = b"".join(parts).decode()
    response.close()
    # answered within the slot's 400 ms, or its fallback: either way the slot is filled, the page whole
    assert f"tickets of {HELD_CUSTOMER}" in rest or PAGE_FALLBACK in rest
    assert "sysops-slot" not in rest and "legacy-footer" in rest and rest.rstrip().endswith("</html>")


def test_a_fragment_slower_than_the_budget_loads_after_the_page_as_before(composed, legacy_url):
    """A budget below the slot's time-out: the page is not held for the slow fragment; its slot loads
    with htmx after the page (the proxy then gives it the same time-out and fallback)."""
    version, _, _, _ = composed
    served = Served(fake_fragment(MANIFESTS[version], []))
    app, client, _ = shell_for(legacy_url, served.url, budget_ms=100)
    try:
        page = client.get(f"/customers/{SLOW_CUSTOMER}").get_data(as_text=True)
        assert f'hx-get="/fragments/ticketing/customers/{SLOW_CUSTOMER}/tickets" hx-trigger="load"' in page
        assert "fragment-loading" in page and "Contracts" in page
        # what the journeys and the benchmarks ask for after the page, as htmx does
        assert deferred_slots(page) == [f"/fragments/ticketing/customers/{SLOW_CUSTOMER}/tickets"]
        assert "X-Slot-Fallback" in page  # htmx's request for the slot carries the page's words
        later = client.get(f"/fragments/ticketing/customers/{SLOW_CUSTOMER}/tickets",
                           headers={"HX-Request": "true", **PAGE_SAYS})
        assert later.headers.get("X-Fragment-Fallback") == "1" and PAGE_FALLBACK in later.get_data(as_text=True)
    finally:
        served.stop()
        app.extensions["db_engine"].dispose()


def test_state_changes_through_the_proxy_need_the_csrf_token_and_carry_its_digest(composed):
    _, client, auth, seen = composed
    refused = client.post("/fragments/ticketing/customers/1/tickets", data={"description": "x"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post("/fragments/ticketing/customers/1/tickets", data={"description": "printer on fire"},
                           headers={"HX-Request": "true", "X-CSRF-Token": auth.csrf})
    assert accepted.status_code == 201 and "got printer on fire" in accepted.get_data(as_text=True)
    principal = seen[-1][2]
    assert principal.csrf_digest == csrf_digest(auth.csrf)


def test_nginx_auth_subrequest_mints_the_user_token(composed):
    _, client, auth, _ = composed
    ok = client.get("/fragments-auth/ticketing")
    assert ok.status_code == 204
    principal = TokenVerifier.for_audience(KEYS_DIR, "fragment:ticketing").verify(ok.headers["X-Fragment-Token"])
    assert principal.role == "call_centre" and principal.csrf_digest == csrf_digest(auth.csrf)
    assert client.get("/fragments-auth/ticketing", headers={"X-Original-Method": "POST"}).status_code == 403
    assert client.get("/fragments-auth/ticketing", headers={"X-Original-Method": "POST",
                                                            "X-CSRF-Token": auth.csrf}).status_code == 204
    fallback = client.get("/fragments-fallback/ticketing/customers/1/tickets")
    assert 'hx-get="/fragments/ticketing/customers/1/tickets"' in fallback.get_data(as_text=True)
    auth.logout()
    assert client.get("/fragments-auth/ticketing").status_code == 401


def test_a_session_gets_the_same_fragment_token_while_half_its_life_is_left_and_another_session_not(legacy_url):
    """The shell keeps each fragment's token (foundation.tokens.KeptTokens), so a page's requests present
    one token, which the fragment verified once and the experts fragment traded once (ADR 0031)."""
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "KEYS_DIR": KEYS_DIR, "DATABASE_URL": legacy_url,
                      "FRAGMENTS": (("experts", "http://127.0.0.1:9"), ("ticketing", "http://127.0.0.1:9"))})
    tokens = []
    for _ in range(2):  # two sessions of one user
        client = app.test_client()
        Auth(client).login("expert1")
        tokens.append([client.get("/fragments-auth/experts").headers["X-Fragment-Token"] for _ in range(3)])
        tokens[-1].append(client.get("/fragments-auth/ticketing").headers["X-Fragment-Token"])
    for session in tokens:
        assert session[0] == session[1] == session[2] != session[3]
    assert tokens[0][0] != tokens[1][0]
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("username", ["expert1", "callcentre", "admin", "manager"])
def test_a_token_for_the_experts_fragment_opens_no_other_fragment_for_any_role(legacy_url, username):
    """A fragment's token is meant for it alone (ADR 0031): the experts fragment trades an expert's for a
    ticketing or knowledge token at the exchange; a staff token for it never opens ticketing's staff
    queue."""
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "KEYS_DIR": KEYS_DIR, "DATABASE_URL": legacy_url,
                      "FRAGMENTS": (("experts", "http://127.0.0.1:9"), ("ticketing", "http://127.0.0.1:9"))})
    client = app.test_client()
    Auth(client).login(username)
    answer = client.get("/fragments-auth/experts")
    assert answer.status_code == 204
    token = answer.headers["X-Fragment-Token"]
    assert TokenVerifier.for_audience(KEYS_DIR, "fragment:experts").verify(token).subject == username
    for other in ("fragment:ticketing", "fragment:knowledge", "fragment:reports", "fragment:customers"):
        with pytest.raises(TokenError):
            TokenVerifier.for_audience(KEYS_DIR, other).verify(token)
    app.extensions["db_engine"].dispose()


def test_a_slot_fetch_that_meets_a_closed_keep_alive_connection_is_asked_again_but_a_post_is_not():
    """A fragment's server closes an idle kept-alive connection as the shell reuses it: no answer came, so
    a GET goes once more on a new connection; a POST is never sent twice (it may have been acted on)."""
    from shell_app.composition.registry import FragmentRegistry, FragmentUnavailable
    from tests.support.closing_server import closing_first_requests

    ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    with closing_first_requests(ok) as (base, seen):
        registry = FragmentRegistry({"tickets": base}, lambda _name: "t")
        answer = registry.fetch("tickets", "GET", "/queue", query=b"", headers={}, body=b"", timeout=5)
        assert answer.status == 200 and answer.body == b"ok" and seen == ["GET /queue HTTP/1.1"] * 2
        with pytest.raises(FragmentUnavailable):
            registry.fetch("tickets", "POST", "/tickets", query=b"", headers={}, body=b"x=1", timeout=5)
        assert seen[2:] == ["POST /tickets HTTP/1.1"]
