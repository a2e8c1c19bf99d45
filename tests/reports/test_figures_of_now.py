"""The screen asks for the figures of now (lost-ticket check, experts' load, waiting queue, migration
progress, the catalogue's names) on other threads while it sums the period: each read carries the
request's id (so the calls it makes forward it and its log lines show it), a failed read fails the
screen as before, and a CSV reads only what its table needs, on the request's own thread."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from foundation import request_ids
from fragments.reports.domain.period import Period
from fragments.reports.services.reports import Reports
from graph_store.errors import StoreError
from tests.support.fake_catalogue import FakeCatalogue
from tests.support.fake_plan_terms import FakePlanTerms

from .test_app import NOW, FixedSource

PERIOD = Period(dt.date(2026, 11, 19), dt.date(2026, 11, 25))


class Watched(FixedSource):
    """Notes on which thread, and for which request, each figure of now was read."""

    def __init__(self):
        super().__init__()
        self.seen: dict[str, tuple[str, str | None]] = {}

    def _note(self, name):
        self.seen[name] = (threading.current_thread().name, request_ids.current())

    def lost(self, visible):
        self._note("lost")
        return super().lost(visible)

    def experts(self, now):
        self._note("experts")
        return super().experts(now)

    def waiting(self, now=None, limit=None):
        self._note("waiting")
        return super().waiting(now, limit)

    def migration(self):
        self._note("migration")
        return super().migration()


def reports(source) -> Reports:
    return Reports(source, FakeCatalogue(), lambda: NOW, FakePlanTerms())


def test_the_figures_of_now_are_read_beside_the_period_and_carry_the_request_id():
    source = Watched()
    rid = request_ids.begin("req-figures-0001")
    try:
        screen = reports(source).build(PERIOD)
    finally:
        request_ids.end()
    assert screen["lost_count"] == 0 and screen["waiting_count"] == 1
    assert screen["tables"]["experts"]["rows"][0][0] == "Eve Fix"
    assert set(source.seen) == {"lost", "experts", "waiting", "migration"}
    for name, (thread, request) in source.seen.items():
        assert thread.startswith("report-now") and thread != threading.current_thread().name, name
        assert request == rid, name


def test_a_figure_of_now_that_fails_fails_the_screen_as_it_did():
    class Failing(Watched):
        def lost(self, visible):
            raise StoreError("the graph is not answering")

    with pytest.raises(StoreError):
        reports(Failing()).build(PERIOD)


def test_a_csv_reads_only_its_table_on_the_request_thread():
    source = Watched()
    table = reports(source).table(PERIOD, "lost")
    assert table["rows"] == [] and set(source.seen) == {"lost"}
    assert source.seen["lost"][0] == threading.current_thread().name


def test_a_build_in_steps_times_every_table_and_reads_the_figures_of_now_in_line():
    from fragments.reports.services.reports import TABLES

    source = Watched()
    steps = reports(source).build_in_steps(PERIOD)
    assert [name for name, _ in steps] == ["summaries", "names", *TABLES]
    assert all(ms >= 0 for _, ms in steps)
    assert set(source.seen) == {"lost", "experts", "waiting", "migration"}
    assert {thread for thread, _ in source.seen.values()} == {threading.current_thread().name}
