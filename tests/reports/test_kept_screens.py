"""A report that is slow to build is shown "as of" its last build instead of keeping managers waiting and
asking the stores again and again; one that is quick is built afresh each time."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from fragments.reports.app import create_app
from fragments.reports.services.kept_screens import KeptScreens
from tests.support.clock import Clock
from tests.support.fake_catalogue import FakeCatalogue
from tests.support.fake_plan_terms import FakePlanTerms
from tests.support.waiting import wait_until

from ..support.keys import KEYS_DIR
from .test_app import NOW, FixedSource, headers


class Builds:
    """A build that counts itself, takes `took` seconds of the fake clock, and can be held until released."""

    def __init__(self, clock: Clock, took: float = 0.0):
        self.clock, self.took, self.count = clock, took, 0
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()

    def __call__(self) -> dict:
        self.count += 1
        self.started.set()
        assert self.release.wait(30)
        self.clock.now += self.took
        return {"raised": self.count}


def wall() -> dt.datetime:
    return NOW


def test_a_quick_report_is_built_afresh_each_time():
    clock = Clock(1000.0)
    kept, build = KeptScreens(slow_s=2.0, reuse_s=60.0, clock=clock), Builds(clock, took=0.5)
    assert kept.screen("p", build, wall) == {"raised": 1, "as_of": None, "updating": False, "pending": False}
    assert kept.screen("p", build, wall) == {"raised": 2, "as_of": None, "updating": False, "pending": False}


def test_a_slow_report_is_shown_as_of_its_build_until_reuse_ends_then_built_again():
    clock = Clock(1000.0)
    kept, build = KeptScreens(slow_s=2.0, reuse_s=60.0, clock=clock), Builds(clock, took=5.0)
    assert kept.screen("p", build, wall)["as_of"] is None  # nothing kept yet: waited for
    clock.now += 59
    assert kept.screen("p", build, wall) == {"raised": 1, "as_of": NOW, "updating": False, "pending": False}
    assert build.count == 1  # the stores were not asked again
    assert kept.screen("other period", build, wall)["raised"] == 2  # each period its own
    clock.now += 1
    assert kept.screen("p", build, wall) == {"raised": 3, "as_of": None, "updating": False, "pending": False}


def test_a_request_waits_only_so_long_for_a_build_then_sees_the_last_screen_and_the_build_goes_on():
    clock = Clock(1000.0)
    kept, build = KeptScreens(slow_s=0.2, reuse_s=60.0, wait_s=0.2, clock=clock), Builds(clock)
    kept.screen("p", build, wall)  # quick: kept, not reused
    build.release.clear()
    build.started.clear()
    assert kept.screen("p", build, wall) == {"raised": 1, "as_of": NOW, "updating": True, "pending": False}
    assert build.started.is_set()
    assert kept.screen("p", build, wall)["updating"] is True  # the build under way is shared, not repeated
    assert build.count == 2
    build.release.set()
    wait_until(lambda: not kept.building("p"), "the build to end")
    build.release.clear()  # the next build held: the request is shown the last screen kept
    assert kept.screen("p", build, wall) == {"raised": 2, "as_of": NOW, "updating": True, "pending": False}
    build.release.set()  # the build that went on was kept
    wait_until(lambda: not kept.building("p"), "the build to end")
    # (builds take no time on the report's clock, so none is reused: the next request builds again)
    assert kept.screen("p", build, wall) == {"raised": 4, "as_of": None, "updating": False, "pending": False}


def test_with_no_screen_yet_a_request_is_told_the_report_is_being_computed_since_when_and_not_held():
    clock = Clock(1000.0)
    kept, build = KeptScreens(wait_s=0.2, clock=clock), Builds(clock)
    build.release.clear()
    assert kept.screen("p", build, lambda: NOW) == {"pending": True, "as_of": NOW, "updating": True}
    later = NOW + dt.timedelta(seconds=30)
    assert kept.screen("p", build, lambda: later)["as_of"] == NOW  # the same build, begun then
    assert build.count == 1
    build.release.set()
    wait_until(lambda: not kept.building("p"), "the build to end")
    build.release.clear()
    assert kept.screen("p", build, wall)["raised"] == 1  # the build went on after nobody waited, and was kept
    build.release.set()
    wait_until(lambda: not kept.building("p"), "the build to end")
    assert kept.screen("p", build, wall)["raised"] == 3  # (quick on the report's clock: built again)


def test_a_failed_build_is_not_kept_its_error_is_told_once_and_the_next_request_tries_again():
    clock = Clock(1000.0)
    kept, calls = KeptScreens(clock=clock), []

    def failing() -> dict:
        calls.append(1)
        raise ConnectionError("the graph is not answering")

    with pytest.raises(ConnectionError):  # waited for: told at once
        kept.screen("p", failing, wall)
    assert kept.screen("p", Builds(clock), wall)["raised"] == 1
    assert len(calls) == 1

    held = threading.Event()

    def slow_failing() -> dict:
        assert held.wait(30)
        raise ConnectionError("the bridge did not answer")

    quick = KeptScreens(wait_s=0.1, clock=clock)
    assert quick.screen("p", slow_failing, wall)["pending"] is True
    held.set()
    wait_until(lambda: not quick.building("p"), "the build to fail")
    with pytest.raises(ConnectionError, match="bridge"):  # nobody was waiting for it: the next request is told
        quick.screen("p", slow_failing, wall)
    assert quick.screen("p", Builds(clock), wall)["raised"] == 1  # and the one after builds again


def test_the_managers_screen_says_what_time_its_figures_are_as_of():
    source = FixedSource()
    catalogue = FakeCatalogue([{"id": 11, "name": "Printer"}], [{"id": 1, "name": "English"}])
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, source=source, catalogue=catalogue, terms=FakePlanTerms(),
                     clock=lambda: NOW, kept=KeptScreens(slow_s=0.0, wait_s=30))  # every build counts as slow
    client = app.test_client()
    first = client.get("/", headers=headers("manager")).get_data(as_text=True)
    assert "Figures as of" not in first and 'data-metric="raised">2<' in first
    asked = len(source.asked)
    again = client.get("/", headers=headers("manager")).get_data(as_text=True)
    assert 'data-as-of="2026-11-25T12:00:00"' in again and "Figures as of 12:00:00" in again
    assert 'data-metric="raised">2<' in again and len(source.asked) == asked  # the same figures, not read again
    other = client.get("/?from=2026-11-20&to=2026-11-20", headers=headers("manager")).get_data(as_text=True)
    assert "Figures as of" not in other


def test_the_managers_screen_says_a_first_report_is_being_computed_and_asks_again_by_itself():
    held = threading.Event()

    class SlowSource(FixedSource):
        def tickets_raised(self, first, last):
            assert held.wait(30)
            return super().tickets_raised(first, last)

    catalogue = FakeCatalogue([{"id": 11, "name": "Printer"}], [{"id": 1, "name": "English"}])
    app = create_app({"KEYS_DIR": KEYS_DIR, "TESTING": True}, source=SlowSource(), catalogue=catalogue,
                     terms=FakePlanTerms(), clock=lambda: NOW, kept=KeptScreens(wait_s=0.2))
    client = app.test_client()
    try:
        answer = client.get("/?from=2026-11-30&to=2026-11-01", headers=headers("manager"))  # a bad range
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422 and "data-computing" in page and "is being computed" in page
        assert "(since 12:00:00)" in page and 'role="alert"' in page
        assert 'hx-get="/?from=2026-10-27&amp;to=2026-11-25" hx-trigger="load delay:3s"' in page  # the last 30 days
    finally:
        held.set()
    wait_until(lambda: 'data-metric="raised">2<' in client.get("/?from=2026-10-27&to=2026-11-25",
                                                               headers=headers("manager")).get_data(as_text=True),
               "the report, once computed")
