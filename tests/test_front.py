"""The composition shell (shell_app/front, ADR 0033): the front door that holds no data. Here through
Flask's test client with the identity service's answer stood in (the person a session is); the whole
system runs through it over real HTTP in tests/system/test_front_shell.py.

- It loads nothing of the monolith: no database driver, no models, no legacy screens.
- Every legacy address a person or an email may hold answers: a permanent redirect to the page that
  succeeded it (the query kept), or the composed page at the same address.
- Every route says who may use it; the navigation leads straight to the successors."""
from __future__ import annotations

import re
import subprocess
import sys
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from foundation.vocabulary import ROLES
from shell_app.access import view_policy
from shell_app.front.app import create_front
from shell_app.front.pages import NEEDED, SUCCESSORS
from shell_app.front_door import Person
from tests.support.keys import KEYS_DIR

ROOT = Path(__file__).resolve().parent.parent
SESSION = "s" * 43
# Nothing listens on these: every slot falls back, which is what these tests need (no service answers).
FRAGMENTS = tuple((name, f"http://127.0.0.1:9{n}") for n, name in enumerate(NEEDED))
PEOPLE = {
    "customer": Person(1, "cust", "customer", "Cee Customer", 41, None, "c" * 43),
    "call_centre": Person(2, "agent", "call_centre", "Ada Agent", None, None, "c" * 43),
    "manager": Person(3, "boss", "manager", "Max Manager", None, None, "c" * 43),
    "admin": Person(4, "root", "admin", "Ana Admin", None, None, "c" * 43),
    "expert": Person(5, "fixer", "expert", "Eve Expert", None, 17, "c" * 43),
}

# Every legacy address a person may have bookmarked or an email may hold -> where it leads now.
MOVED = {
    "/customers": "/fragments/customers/customers",
    "/customers?q=mia+jones&page=2": "/fragments/customers/customers?q=mia+jones&page=2",
    "/tickets": "/fragments/ticketing/tickets",
    "/tickets?status=open": "/fragments/ticketing/tickets?status=open",
    "/outbox": "/fragments/notifications/outbox",
    "/kb": "/fragments/knowledge/search",
    "/kb?q=printer": "/fragments/knowledge/search?q=printer",
    "/kb/12": "/fragments/knowledge/articles/12",
    "/kb/proposals": "/fragments/knowledge/proposals",
    "/experts": "/fragments/experts/admin/experts",
    "/experts/4": "/fragments/experts/admin/experts#expert-4",
    "/admin/accounts": "/fragments/identity/admin/accounts",
    "/admin/catalogue": "/fragments/customers/admin/catalogue",
    "/reports": "/fragments/reports/",
}
COMPOSED = {  # address -> (a role that may see it, the slots it is made of)
    "/my": ("customer", ["customers/customer", "ticketing/customer-tickets", "notifications/preferences"]),
    "/customers/7": ("call_centre", ["customers/customer", "ticketing/customer-tickets", "notifications/customer"]),
    "/customers/7/tickets/new": ("call_centre", ["ticketing/raise-ticket"]),
    "/my/tickets/new": ("customer", ["ticketing/raise-ticket"]),
    "/tickets/9": ("customer", ["ticketing/ticket-detail"]),
    "/tickets/queue": ("manager", ["ticketing/queue"]),
}


@pytest.fixture
def front():
    return create_front({"TESTING": True, "SECRET_KEY": "front-test-" + "k" * 32, "KEYS_DIR": str(KEYS_DIR),
                         "FRAGMENTS": FRAGMENTS})


def signed_in(front, role: str):
    front.extensions["front_door"].person = lambda session_id: PEOPLE[role] if session_id == SESSION else None
    client = front.test_client()
    client.set_cookie("sysops_session", SESSION)
    return client


def test_the_front_loads_nothing_of_the_monolith():
    """Its gunicorn factory imported alone: no database driver, no models, no screens, no bridge."""
    probe = ("import sys, shell_app.front.app; "
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'bridge_api', 'alembic')"
             " or m.startswith(('shell_app.models', 'shell_app.db', 'shell_app.monolith', 'shell_app.views',"
             " 'shell_app.login_sessions', 'shell_app.part_owners')))))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == []


@pytest.mark.parametrize("legacy", sorted(MOVED))
def test_every_screen_that_moved_answers_a_permanent_redirect_for_anyone(front, legacy):
    """The same answer signed in or not (no session read: a browser may keep it); the page it leads to
    asks for a sign-in itself."""
    for client in (front.test_client(), signed_in(front, "admin")):
        response = client.get(legacy)
        assert response.status_code == 301, legacy
        assert response.headers["Location"] == MOVED[legacy]


@pytest.mark.parametrize("address", sorted(COMPOSED))
def test_composed_pages_stay_at_their_address_and_are_made_of_the_services_slots(front, address):
    role, slots = COMPOSED[address]
    assert front.test_client().get(address).headers["Location"] == f"/login?next={address}"
    page = signed_in(front, role).get(address)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for slot in slots:
        assert f'data-fragment-slot="{slot}"' in html, (address, slot)
    assert "cannot be shown right now" in html or "cannot be raised right now" in html  # no service answers here


def test_home_leads_each_role_to_its_own_start(front):
    assert signed_in(front, "customer").get("/").headers["Location"] == "/my"
    assert signed_in(front, "expert").get("/").headers["Location"] == "/fragments/experts/"
    assert signed_in(front, "expert").get("/tickets/9").headers["Location"] == "/fragments/experts/tickets/9"
    for role in ("call_centre", "manager", "admin"):
        page = signed_in(front, role).get("/")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and PEOPLE[role].display_name in html
        assert 'action="/fragments/customers/customers"' in html and 'href="/tickets/queue"' in html


def test_a_role_that_may_not_see_a_composed_page_is_refused(front):
    assert signed_in(front, "customer").get("/customers/7").status_code == 403
    assert signed_in(front, "manager").get("/customers/7/tickets/new").status_code == 403  # managers read only
    assert signed_in(front, "call_centre").get("/my").status_code == 403
    assert signed_in(front, "expert").get("/tickets/queue").status_code == 403


def test_the_navigation_leads_straight_to_the_successors(front):
    html = signed_in(front, "admin").get("/").get_data(as_text=True)
    for endpoint in ("customers.search", "tickets.index", "outbox.index", "experts.index", "accounts.index",
                     "home.catalogue", "kb.search"):
        assert f'href="{SUCCESSORS[endpoint]}"' in html, endpoint
    assert 'href="/customers"' not in html and 'href="/outbox"' not in html


def test_every_route_says_who_may_use_it(front):
    public = {"static", "health.healthz", "auth.login", "auth.ask_for_link", "auth.use_link", "links.link", "metrics"}
    for endpoint, view in front.view_functions.items():
        is_public, roles = view_policy(endpoint, view)
        assert is_public or roles, endpoint
        if is_public:
            assert endpoint in public or front.view_functions[endpoint].__module__.endswith("pages"), endpoint
        assert roles <= set(ROLES)


def test_a_state_change_without_the_sessions_csrf_token_is_refused(front):
    client = signed_in(front, "call_centre")
    assert client.post("/fragments/ticketing/tickets/9/notes", data={"note": "x"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_the_front_refuses_to_start_without_a_service_a_page_needs():
    with pytest.raises(RuntimeError, match="customers"):
        create_front({"TESTING": True, "SECRET_KEY": "k" * 40, "KEYS_DIR": str(KEYS_DIR),
                      "FRAGMENTS": tuple(pair for pair in FRAGMENTS if pair[0] != "customers")})


def test_health_needs_no_store(front):
    answer = front.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["app"] == "shell"


def test_the_front_door_setting_picks_the_app_and_where_tokens_are_exchanged(tmp_path):
    from foundation.config import load_settings
    from sysops import launcher, nginx

    base = {"SYSOPS_DATA_DIR": str(tmp_path)}
    monolith, shell = load_settings(base), load_settings({**base, "SYSOPS_FRONT_DOOR": "shell"})
    # The identity service's own exchange, whichever front door (it issues user tokens: ADR 0035); the
    # monolith's only where no identity service is installed.
    assert monolith.front_door == "monolith" and monolith.token_exchange_url.endswith(":8107/tokens/v1/exchange")
    assert shell.token_exchange_url.endswith(":8107/tokens/v1/exchange")
    alone = load_settings({**base, "SYSOPS_FRAGMENTS": "ticketing=http://127.0.0.1:8101"})
    assert alone.token_exchange_url.endswith(":8000/tokens/v1/exchange")
    specs = {spec.name: spec for spec in launcher.process_specs(shell)}
    assert specs["shell_app"].argv[-1] == "shell_app.front.app:create_front()"
    assert specs["bridge"].argv[-1] == "sysops.wsgi:monolith()"  # the monolith behind it, for the bridge
    assert "http://sysops_identity/auth/fragment/" in nginx.for_settings(shell)
    assert "http://sysops_shell/fragments-auth/" in nginx.for_settings(monolith)
    with pytest.raises(ValueError, match="SYSOPS_FRONT_DOOR"):
        load_settings({**base, "SYSOPS_FRONT_DOOR": "nginx"})


def test_a_composed_page_links_the_assets_of_the_fragments_it_composes_only(front):
    """Every fragment publishes a stylesheet here; the customer's page composes three of them, a fragment's
    own page one, and the staff's home none: a page links one stylesheet naming them (or the shell's own)."""
    from shell_app.composition.manifest import parse

    slots = {"customers": {"customer": "/customers/{customer_id}"}, "ticketing": {"customer-tickets":
             "/customers/{customer_id}/tickets", "queue": "/queue"}, "notifications": {"customer": "/customers/{customer_id}"}}
    manifests = {name: parse({"name": name, "version": "9.9", "manifest_version": 1, "slots": slots.get(name, {}),
                              "assets": {"css": [f"/static/{name}.css"]}}, name) for name in NEEDED}
    front.extensions["fragments"].manifest = manifests.get
    front.extensions["front_door"].token = lambda session_id, fragment: "a-token-nobody-checks"  # no service runs

    def sheets(html: str) -> set[str]:  # the fragments the page's one stylesheet names, with the shell's own CSS
        href, = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
        if href.startswith("/static/shell/legacy.css?v="):
            return set()
        assert href.startswith("/styles.css?shell=")
        return {name for name, version in parse_qsl(urlsplit(html_unescape(href)).query)[1:] if version == "9.9"}

    staff = signed_in(front, "call_centre")
    assert sheets(staff.get("/customers/7").get_data(as_text=True)) == {"customers", "ticketing", "notifications"}
    assert sheets(staff.get("/tickets/queue").get_data(as_text=True)) == {"ticketing"}
    assert sheets(staff.get("/").get_data(as_text=True)) == set()
    assert sheets(staff.get("/fragments/knowledge/search?q=x").get_data(as_text=True)) == {"knowledge"}
