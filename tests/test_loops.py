"""Background loops outlive outages (foundation/loops.py): the ticketing and outbox workers run on it."""
from __future__ import annotations

import pytest

from foundation.loops import keep_running
from graph_store.backends import GraphUnavailable


class Recorder:
    """Stands in for the loop's logger (a logging.Logger may be disabled by another test's logging
    configuration, e.g. Alembic's fileConfig)."""

    def __init__(self):
        self.lines: list[str] = []

    def warning(self, message, *args):
        self.lines.append(message % args)

    info = warning


class Script:
    """A step that fails `failures` times with `error`, then works; stops the loop after `runs` calls."""

    def __init__(self, failures: int, error: BaseException, runs: int):
        self.failures, self.error, self.runs = failures, error, runs
        self.calls = 0
        self.waits: list[float] = []

    def step(self) -> bool:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return False

    def stop(self) -> bool:
        return self.calls >= self.runs

    def wait(self, _should_stop, seconds: float) -> None:
        self.waits.append(seconds)


def test_an_unreachable_graph_is_waited_out_with_a_growing_then_capped_pause():
    script = Script(failures=8, error=GraphUnavailable("connection refused"), runs=10)
    log = Recorder()
    keep_running(script.step, script.stop, transient=(ConnectionError, GraphUnavailable), log=log, idle=0.5,
                 max_backoff=5.0, wait=script.wait)
    assert script.calls == 10  # it went on after eight failures in a row
    assert script.waits[:8] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]
    assert script.waits[8:] == [0.5, 0.5]  # back to the normal rhythm once working
    text = "\n".join(log.lines)
    assert "step failed (8 in a row)" in text and "working again after 8 failed attempts" in text


def test_a_store_error_of_any_kind_is_transient_for_the_ticketing_worker():
    from fragments.ticketing.entrypoints.worker import TRANSIENT

    assert isinstance(GraphUnavailable("down"), TRANSIENT)


def test_a_bug_is_not_swallowed():
    script = Script(failures=1, error=KeyError("bug"), runs=5)
    with pytest.raises(KeyError):
        keep_running(script.step, script.stop, transient=(ConnectionError,), log=Recorder(), idle=0.1,
                     wait=script.wait)
