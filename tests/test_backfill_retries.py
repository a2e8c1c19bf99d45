"""A backfill batch the legacy system or the graph did not answer in time (busy with live traffic) is
tried again after a pause, since each of its steps is idempotent; one that keeps failing stops the run
with the error, to be resumed."""
from __future__ import annotations

import pytest

from graph_store import backfill
from graph_store.backends import GraphUnavailable
from graph_store.errors import MigrationUnavailable


class Flaky:
    """A migrator whose batches fail `failures[first id]` times before they go through."""

    def __init__(self, failures: dict[int, int], error: type[Exception]):
        self.failures, self.error = dict(failures), error
        self.tries: list[int] = []
        self.done: list[int] = []

    def migrate_batch(self, ids: list[int], via: str) -> int:
        self.tries.append(ids[0])
        if self.failures.get(ids[0], 0) > 0:
            self.failures[ids[0]] -= 1
            raise self.error("bridge not answering: read timed out")
        self.done.extend(ids)
        return len(ids)


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch):
    monkeypatch.setattr(backfill, "RETRY_DELAYS", (0.0, 0.0, 0.0))


@pytest.mark.parametrize("error", [MigrationUnavailable, GraphUnavailable])
def test_a_batch_not_answered_in_time_is_tried_again_and_every_record_is_migrated_once(error):
    migrator = Flaky({1: 2, 21: 3}, error)
    result = backfill.backfill_ids(migrator, iter(range(1, 61)), batch_size=20, workers=2)
    assert sorted(migrator.done) == list(range(1, 61))
    assert (result.seen, result.migrated) == (60, 60)
    assert sorted(migrator.tries) == [1, 1, 1, 21, 21, 21, 21, 41]


def test_a_batch_that_keeps_failing_stops_the_run_with_its_error():
    migrator = Flaky({21: 10}, MigrationUnavailable)
    with pytest.raises(MigrationUnavailable):
        backfill.backfill_ids(migrator, iter(range(1, 61)), batch_size=20, workers=1)
    assert migrator.tries.count(21) == 4  # the first try and one after each of the three pauses
    assert 21 not in migrator.done


def test_the_operator_waits_longer_for_the_monolith_than_a_persons_request_does(tmp_path):
    from foundation.config import load_settings
    from graph_store.config import bridge_for
    from sysops.reporting import OPERATOR_READ_TIMEOUT_S, operator_store
    from tests.support.keys import KEYS_DIR

    settings = load_settings({"SYSOPS_DATA_DIR": str(tmp_path), "SYSOPS_KEYS_DIR": str(KEYS_DIR)})
    store = operator_store(settings)
    try:
        assert store.bridge._timeout[1] == OPERATOR_READ_TIMEOUT_S == 30.0
    finally:
        store.bridge.close()
        store.close()
    assert bridge_for(settings, "backfill")._timeout[1] == 5.0  # the identity alone says nothing of the wait


def test_only_the_named_errors_are_tried_again():
    calls: list[str] = []

    def refused() -> int:
        calls.append("x")
        raise ValueError("a bad query is not a busy server")

    with pytest.raises(ValueError):
        backfill.retried(refused, (GraphUnavailable,))
    assert calls == ["x"]
