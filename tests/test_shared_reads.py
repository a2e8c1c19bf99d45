"""foundation.shared_reads: concurrent reads of one key are one read, its answer or error shared;
another key, or a read after it ended, reads again."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from foundation.shared_reads import SharedReads
from tests.support.waiting import wait_until


def test_callers_asking_while_a_read_runs_share_its_answer_and_later_callers_read_again():
    shared: SharedReads[int] = SharedReads()
    started, release, calls = threading.Event(), threading.Event(), []

    def slow() -> int:
        calls.append("slow")
        started.set()
        assert release.wait(30)
        return 42

    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(shared.read, "2026-11", slow)
        assert started.wait(30)
        others = [pool.submit(shared.read, "2026-11", lambda: calls.append("again") or 0) for _ in range(3)]
        other_key = pool.submit(shared.read, "2026-10", lambda: 7).result(30)
        wait_until(lambda: shared.waiting("2026-11") == 3, "three callers waiting")
        release.set()
        assert first.result(30) == 42 and [f.result(30) for f in others] == [42, 42, 42]
    assert other_key == 7 and calls == ["slow"]
    assert shared.read("2026-11", lambda: 43) == 43  # the read ended: the next one asks again


def test_an_error_is_shared_by_those_waiting_and_not_kept():
    shared: SharedReads[int] = SharedReads()
    started, release = threading.Event(), threading.Event()

    def failing() -> int:
        started.set()
        assert release.wait(30)
        raise TimeoutError("the monolith did not answer")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(shared.read, "now", failing)
        assert started.wait(30)
        waiting = pool.submit(shared.read, "now", lambda: 1)
        wait_until(lambda: shared.waiting("now") == 1, "one caller waiting")
        release.set()
        for future in (first, waiting):
            with pytest.raises(TimeoutError):
                future.result(30)
    assert shared.read("now", lambda: 2) == 2
