"""The reports fragment app in-process on a fixed source: managers only, the screen, CSV = table."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace

import pytest

from foundation.tokens import Principal, csrf_digest
from fragments.customers.domain.plan_terms import version
from fragments.reports.app import create_app
from tests.support.fake_catalogue import FakeCatalogue
from tests.support.fake_plan_terms import FakePlanTerms

from ..support.keys import KEYS_DIR, mint
from ..ticketing.conftest import PRINCIPALS

NOW = dt.datetime(2026, 11, 25, 12, 0)


class FixedSource:
    """Tickets only on 20 November; keeps no day summary, so every report reads the tickets."""

    def __init__(self):
        self.asked: list[tuple[dt.date, dt.date]] = []

    def day_summaries(self, first, last):
        return {}

    def keep_day_summaries(self, days):
        return 0

    def legacy_tickets_raised(self, first, last):
        return []

    def legacy_as_of(self):
        return None

    def tickets_changed(self, day, since):  # nothing is ever written: every ticket as it was
        return [], len(self.tickets_raised(day, day))

    def tickets_raised(self, first, last):
        self.asked.append((first, last))
        if not first <= dt.date(2026, 11, 20) <= last:
            return []
        return [{"id": 1, "reference": "N-1", "status": "closed", "product_id": 11, "locale_id": 1, "contract_id": 70,
                 "created_at": "2026-11-20T08:00:00", "closed_at": "2026-11-20T20:00:00", "reopened": None,
                 "allocations": [{"expert_id": 5, "state": "accepted", "at": "2026-11-20T08:00:00",
                                  "closed_at": "2026-11-20T09:00:00", "reason": None}]},
                {"id": 2, "reference": "N-2", "status": "unassigned", "product_id": 11, "locale_id": 1, "contract_id": 70,
                 "created_at": "2026-11-20T10:00:00", "closed_at": None, "reopened": None,
                 "allocations": [{"expert_id": 5, "state": "refused", "at": "2026-11-20T10:00:00",
                                  "closed_at": "2026-11-20T10:05:00", "reason": "=HYPERLINK(\"x\")"}]}]

    def waiting_count(self, now=None):
        return len(self.waiting(now))

    def waiting(self, now=None, limit=None):
        return [{"id": 2, "reference": "N-2", "status": "unassigned", "created_at": "2026-11-20T10:00:00",
                 "waiting_since": "2026-11-20T10:05:00"}]

    def lost(self, visible):
        return []

    def experts(self, now):
        return [{"id": 5, "first_name": "Eve", "last_name": "Fix", "load": 2, "score": 4.0, "answers": 3}]

    def last_reconciliation(self):
        return self.migration()["last_reconciliation"]

    def migration(self):
        return {"legacy_total": 100, "graph_migrated": 40, "remaining": 60, "percent_migrated": 40.0, "lazy": 10,
                "backfill": 30, "parts": [
                    {"part": "tickets", "legacy": 100, "in_graph": 40, "remaining": 60, "new": 7,
                     "reconciliation": "2 differed"},
                    {"part": "knowledge base", "legacy": 119, "in_graph": 20, "remaining": 99, "new": 2,
                     "reconciliation": "1 published versions not yet written back to the legacy KB"}],
                "last_reconciliation": {
                    "at": "2026-11-24T02:00:00", "checked": 100, "matching": 38, "not_migrated": 60, "mismatched": 2,
                    "missing": 0, "unmarked": 0, "repaired": 1, "needs_person": 1, "findings": [
                        {"ticket_id": 17, "kind": "mismatched", "differences": ["content checksum differs"],
                         "action": "repaired"},
                        {"ticket_id": 18, "kind": "mismatched", "action": "needs a person", "differences": [
                            "legacy event not in the copy: 2026-11-20T10:00:00 call_centre:cc note: <b>Called</b>"]}]}}


@pytest.fixture
def reports_app():
    catalogue = FakeCatalogue([{"id": 11, "name": "Printer"}], [{"id": 1, "name": "English"}])
    source = FixedSource()
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, source=source, catalogue=catalogue, terms=FakePlanTerms(),
                     clock=lambda: NOW)
    return app, source


def headers(who: str) -> dict[str, str]:
    principal = replace(PRINCIPALS.get(who) or Principal("user", who, who), csrf_digest=csrf_digest("c"))
    return {"Authorization": f"Bearer {mint(principal, 'fragment:reports')}", "HX-Request": "true"}


def test_only_managers_see_reports(reports_app):
    app, _ = reports_app
    client = app.test_client()
    for url in ("/", "/export/volume_state.csv", "/reconciliation"):
        assert client.get(url).status_code == 401
        for who in ("call_centre", "admin", "customer", "expert"):
            assert client.get(url, headers=headers(who)).status_code == 403
        assert client.get(url, headers=headers("manager")).status_code == 200


def test_dashboard_defaults_to_30_days_and_compares_with_the_30_before(reports_app):
    app, source = reports_app
    page = app.test_client().get("/", headers=headers("manager")).get_data(as_text=True)
    assert source.asked[:2] == [(dt.date(2026, 10, 27), dt.date(2026, 11, 25)),
                                (dt.date(2026, 9, 27), dt.date(2026, 10, 26))]
    assert 'data-metric="lost">0<' in page and "Every ticket is in a visible state." in page
    assert "<svg" in page and "Definition:" in page and 'data-metric="waiting">1<' in page


def test_changing_the_range_and_the_csv_matches_the_table(reports_app):
    app, _ = reports_app
    client = app.test_client()
    page = client.get("/?from=2026-11-20&to=2026-11-20", headers=headers("manager")).get_data(as_text=True)
    assert 'data-metric="raised">2<' in page
    table = re.search(r'<table data-table="experts">(.*?)</table>', page, re.S).group(1)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    exported = client.get("/export/experts.csv?from=2026-11-20&to=2026-11-20", headers=headers("manager"))
    assert exported.mimetype == "text/csv" and "experts-2026-11-20-2026-11-20.csv" in exported.headers[
        "Content-Disposition"]
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert lines[0] == cells[0] and lines[1][:7] == ["Eve Fix", "2", "2", "1", "1", "0", "50%"]
    assert lines[1][7] == "'=HYPERLINK(\"x\") (1)"  # a formula-looking cell is defused in the CSV
    assert "=HYPERLINK(&#34;x&#34;) (1)" in page or "=HYPERLINK(&quot;x&quot;) (1)" in page  # escaped on screen


def test_bad_ranges_are_explained_not_errors(reports_app):
    app, _ = reports_app
    client = app.test_client()
    bad = client.get("/?from=2026-11-30&to=2026-11-01", headers=headers("manager"))
    assert bad.status_code == 422 and "the first day is after the last" in bad.get_data(as_text=True)
    assert client.get("/export/volume_state.csv?from=x", headers=headers("manager")).status_code == 400
    assert client.get("/export/nonsense.csv", headers=headers("manager")).status_code == 404


def test_a_csv_reads_only_what_its_table_needs(reports_app):
    app, source = reports_app
    client = app.test_client()
    migration = client.get("/export/migration_tickets.csv", headers=headers("manager"))
    assert migration.status_code == 200 and "legacy tickets,100" in migration.get_data(as_text=True)
    parts = client.get("/export/migration.csv", headers=headers("manager")).get_data(as_text=True)
    assert "knowledge base,119,20,99,2,1 published versions not yet written back" in parts
    assert source.asked == []  # no period scan for a table that does not use it
    client.get("/export/times.csv?from=2026-11-20&to=2026-11-20", headers=headers("manager"))
    assert len(source.asked) == 2  # this period and the one before, once each


def test_the_migration_table_links_to_the_reconciliation_list_of_what_differs(reports_app):
    app, _ = reports_app
    client = app.test_client()
    page = client.get("/", headers=headers("manager")).get_data(as_text=True)
    assert "2 found, 1 repaired, 1 need a person" in page and 'href="/reconciliation"' in page
    listing = client.get("/reconciliation", headers=headers("manager")).get_data(as_text=True)
    assert 'data-ticket-id="18"' in listing and "needs a person" in listing and 'data-ticket-id="17"' in listing
    assert "legacy event not in the copy" in listing and "<b>Called</b>" not in listing  # escaped


def test_the_screen_lists_the_longest_waiting_and_counts_all_the_csv_lists_all(reports_app):
    app, source = reports_app
    queue = [{"id": n, "reference": f"N-{n}", "status": "unassigned", "created_at": "2026-11-20T10:00:00",
              "waiting_since": (dt.datetime(2026, 11, 1) + dt.timedelta(hours=n)).isoformat()} for n in range(150)]
    source.waiting = lambda now=None, limit=None: queue[:limit] if limit is not None else queue
    source.waiting_count = lambda now=None: len(queue)
    client = app.test_client()
    page = client.get("/", headers=headers("manager")).get_data(as_text=True)
    shown = re.search(r'<table data-table="unassigned">(.*?)</table>', page, re.S).group(1)
    assert 'data-metric="waiting">150<' in page and "The 100 waiting longest of 150" in page
    assert shown.count("<tr>") == 101 and ">N-0<" in shown and ">N-100<" not in shown
    exported = client.get("/export/unassigned.csv", headers=headers("manager")).get_data(as_text=True)
    assert len(exported.strip().splitlines()) == 151


def test_html_answers_carry_an_etag_and_unchanged_ones_are_304_csv_and_errors_are_not(reports_app):
    app, _ = reports_app
    client = app.test_client()
    first = client.get("/", headers=headers("manager"))
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    again = client.get("/", headers={**headers("manager"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/?from=2026-11-20&to=2026-11-20", headers={**headers("manager"),
                                                                   "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]
    exported = client.get("/export/times.csv", headers=headers("manager"))
    assert "ETag" not in exported.headers and exported.headers["Cache-Control"] == "no-store"
    refused = client.get("/", headers=headers("expert"))
    assert refused.status_code == 403 and "ETag" not in refused.headers


def test_service_levels_per_plan_with_their_csv():
    """Contract 70 holds plan 3 (an expert within 8 working hours, the visit within 3 working days). On Friday
    20 November ticket 1 (08:00) was accepted at 09:00 and closed at 20:00: both kept; ticket 2 (10:00) was
    never accepted (due 18:00: breached) and its visit is due Wednesday 25th at 18:00: open at noon."""
    catalogue = FakeCatalogue(plans=[{"id": 3, "name": "Home <Care>"}])
    terms = FakePlanTerms(plans={3: [version(effective="2000-01-01", accept_hours=8, visit_days=3)]},
                          contracts={70: {"plan_id": 3, "start_date": "2026-01-01"}})
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, source=FixedSource(), catalogue=catalogue, terms=terms,
                     clock=lambda: NOW)
    client = app.test_client()
    page = client.get("/?from=2026-11-20&to=2026-11-20", headers=headers("manager")).get_data(as_text=True)
    table = re.search(r'<table data-table="sla_plan">(.*?)</table>', page, re.S).group(1)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert cells == [["plan", "promise", "kept", "breached", "open", "% kept", "% kept, previous period"],
                     ["Home &lt;Care&gt;", "expert accepted", "1", "1", "0", "50.0%", ""],
                     ["Home &lt;Care&gt;", "visit", "1", "0", "1", "100.0%", ""]]
    exported = client.get("/export/sla_plan.csv?from=2026-11-20&to=2026-11-20", headers=headers("manager"))
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert lines[0] == cells[0] and lines[1:] == [["Home <Care>", "expert accepted", "1", "1", "0", "50.0%", ""],
                                                  ["Home <Care>", "visit", "1", "0", "1", "100.0%", ""]]
