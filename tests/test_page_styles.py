"""A composed page's one stylesheet (shell_app/composition/stylesheets.py, ADR 0044): the shell's own
CSS and the CSS of each fragment the page composes, as one response browsers keep a year.

The fragments here are one stand-in served over real HTTP (their manifests and static CSS, as the
services publish them), so the shell reads manifests and fetches stylesheets as it does in production;
the person a session is stands in for the identity service (tests/test_front.py's `signed_in`)."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask, abort, jsonify

from shell_app.front.app import create_front
from shell_app.front.pages import NEEDED

from .support.keys import KEYS_DIR
from .support.served_app import Served
from .test_front import signed_in

ROOT = Path(__file__).resolve().parent.parent
SHELL_CSS = (ROOT / "static" / "shell" / "legacy.css").read_bytes()


class Fragments:
    """Every fragment the shell needs, each at `<url>/<name>`: a manifest naming its version and its
    stylesheet, the stylesheet itself (a 503 while `down` names it), and a count of stylesheet requests."""

    def __init__(self):
        self.versions = {name: "1.0.0" for name in NEEDED}
        self.down: set[str] = set()
        self.asked: list[str] = []
        app = Flask(__name__)

        @app.get("/<name>/manifest.json")
        def manifest(name):
            slots = {"customer": {"path": "/customers/{customer_id}"}} if name in ("customers", "notifications") else {}
            if name == "ticketing":
                slots = {"customer-tickets": {"path": "/customers/{customer_id}/tickets"}, "queue": {"path": "/queue"}}
            return jsonify({"name": name, "version": self.versions[name], "manifest_version": 1, "slots": slots,
                            "assets": {"css": [f"/static/{name}.css"]}})

        @app.get("/<name>/static/<name2>.css")
        def stylesheet(name, name2):
            self.asked.append(name)
            if name in self.down or name != name2:
                abort(503)
            return f".{name} {{ color: #{len(name)}{len(name)}{len(name)}; }} /* {self.versions[name]} */", \
                200, {"Content-Type": "text/css"}

        self.served = Served(app)

    def front(self):
        return create_front({"TESTING": True, "SECRET_KEY": "front-test-" + "k" * 32, "KEYS_DIR": str(KEYS_DIR),
                             "FRAGMENTS": tuple((name, f"{self.served.url}/{name}") for name in NEEDED)})


@pytest.fixture
def fragments():
    served = Fragments()
    yield served
    served.served.stop()


def staff(fragments_front):
    client = signed_in(fragments_front, "call_centre")
    fragments_front.extensions["front_door"].token = lambda session_id, fragment: "a-token-nobody-checks"
    return client


def linked(client, path: str) -> str:
    """The one stylesheet a page links."""
    page = client.get(path).get_data(as_text=True)
    href, = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
    return unescape(href)


def test_the_customer_page_links_one_stylesheet_holding_the_shells_css_then_each_fragments(fragments):
    client = staff(fragments.front())
    href = linked(client, "/customers/7")
    assert href.startswith("/styles.css?shell=")
    assert href.endswith("&customers=1.0.0&ticketing=1.0.0&notifications=1.0.0")  # the registry's order
    sheet = client.get(href)
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"
    body = sheet.get_data()
    assert body.startswith(SHELL_CSS)  # the shell's own CSS first, as the separate links had it
    placed = [body.index(f".{name} {{".encode()) for name in ("customers", "ticketing", "notifications")]
    assert placed == sorted(placed) and b"/* knowledge" not in body
    assert sheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(href, headers={"If-None-Match": sheet.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    # Each fragment's CSS was fetched once: the queue's sheet (ticketing alone) and the same sheet again ask nothing.
    assert sorted(fragments.asked) == ["customers", "notifications", "ticketing"]
    queue = linked(client, "/tickets/queue")
    assert queue.endswith("&ticketing=1.0.0") and client.get(queue).status_code == 200
    assert len(fragments.asked) == 3


def test_a_page_with_no_fragment_links_the_shells_own_css(fragments):
    client = staff(fragments.front())
    assert re.fullmatch(r"/static/shell/legacy\.css\?v=[0-9a-f]{12}", linked(client, "/"))


def test_a_new_fragment_version_is_a_new_url_and_the_old_url_is_answered_but_not_kept(fragments):
    old = linked(staff(fragments.front()), "/customers/7")
    fragments.versions["ticketing"] = "1.1.0"
    client = staff(fragments.front())  # a shell that read the new manifest
    new = linked(client, "/customers/7")
    assert "&ticketing=1.1.0&" in new and new != old
    stale = client.get(old)  # a page rendered just before the deploy
    assert stale.status_code == 200 and b"/* 1.1.0 */" in stale.get_data()
    assert stale.headers["Cache-Control"] == "no-store"
    assert client.get(new).headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_fragment_that_cannot_give_its_css_leaves_the_others_and_the_sheet_is_asked_for_again(fragments):
    fragments.down.add("notifications")
    client = staff(fragments.front())
    href = linked(client, "/customers/7")
    partial = client.get(href)
    body = partial.get_data()
    assert partial.status_code == 200 and partial.headers["Cache-Control"] == "no-store"
    assert body.startswith(SHELL_CSS) and b".customers {" in body and b".notifications {" not in body
    fragments.down.clear()
    whole = client.get(href)
    assert b".notifications {" in whole.get_data() and "immutable" in whole.headers["Cache-Control"]


@pytest.mark.parametrize("query", ["", "?customers=1.0.0", "?shell=x&billing=1.0.0", "?shell=x&customers=1&customers=1",
                                   "?customers=1.0.0&shell=x"])
def test_a_sheet_naming_what_the_shell_does_not_compose_is_not_found(fragments, query):
    client = staff(fragments.front())
    assert client.get(f"/styles.css{query}").status_code == 404
    assert fragments.asked == []


def test_the_sheet_is_for_people_signed_in(fragments):
    front = fragments.front()
    href = linked(staff(front), "/customers/7")
    anonymous = fragments.front().test_client().get(href)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
